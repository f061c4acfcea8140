#!/bin/bash
# t_loops.sh: no mail loops, bounces matched.  An auto-responder without
# RFC 3834 headers gets at most limits.acks_per_hour acknowledgements; mail
# marked Auto-Submitted opens no case and gets no acknowledgement (more in
# t_automatic.sh); an auto-reply to our acknowledgement joins the case and
# is not answered; a delivery status notification quoting our Message-ID
# opens no case, is recorded in the right one, and staff are told.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
limits = { acks_per_hour = 2; };
alerts = { admin = "manager@example.test"; };
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "client"; password = "$TESTBED_PASS"; } );
EOC
daemon_start
send() {	# send FROM FILE
	testbed_send "$1" client@example.test "$2"
}
mk() {		# mk FILE FROM SUBJECT MSGID [HEADERS]
	printf 'From: %s\r\nTo: client@example.test\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\n%s\r\nTexte.\r\n' \
	    "$2" "$3" "$4" "${5:-}" > "$1"
}

for i in 1 2 3 4; do
	mk "$d/r$i.eml" bob@example.test "Re: votre message $i" "robot$i"
	send bob@example.test "$d/r$i.eml"
done
wait_for 30 processed 4
ok $? "four messages from a header-less auto-responder are stored"
wait_for 10 testbed_mailbox_has bob 2
sleep 2
is "$(testbed_mail_count bob)" 2 "it gets 2 acknowledgements, not 4 (limits.acks_per_hour = 2)"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'no-ack' AND detail LIKE '%a mail loop?'")" 2 \
    "the two others are events"

mk "$d/a.eml" vacation@example.test "Absence" "auto1" "Auto-Submitted: auto-replied
"
send vacation@example.test "$d/a.eml"
wait_for 20 processed 5
is "$(sql "$db" "SELECT count(*) || ' ' || coalesce(max(m.automatic), '-') FROM message m WHERE m.case_id IS NULL AND m.from_addr = 'vacation@example.test'")" \
    '1 Auto-Submitted other than "no" (RFC 3834)' \
    "mail marked Auto-Submitted opens no case, and is kept with the reason"

mk "$d/c.eml" "Alice <alice@example.test>" "[Plainte] vraie plainte" "real1"
send alice@example.test "$d/c.eml"
wait_for 20 testbed_mailbox_has alice 1
ok $? "a real complaint is acknowledged"
ackid=$(sql "$db" "SELECT message_id FROM outbox WHERE rcpt = 'alice@example.test' AND kind = 'ack'")
cases=$(sql "$db" "SELECT count(*) FROM cases")
mk "$d/v.eml" "Alice <alice@example.test>" "Absent: [PLA-$year-0001]" "auto2" "In-Reply-To: <$ackid>
"
send alice@example.test "$d/v.eml"
wait_for 20 processed 7
is "$(sql "$db" "SELECT count(*) FROM cases")" "$cases" "an auto-reply to our acknowledgement joins the case"
sleep 2
is "$(testbed_mail_count alice)" 1 "and is not answered (no loop)"

cat > "$d/dsn.eml" <<EOM
From: Mail Delivery System <MAILER-DAEMON@example.test>
To: client@example.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@example.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Final-Recipient: rfc822; alice@example.test
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

From: Test <recours@example.test>
To: alice@example.test
Message-ID: <$ackid>
Subject: [PLA-$year-0001] Accusé de réception

--B--
EOM
sed -i 's/$/\r/' "$d/dsn.eml"
send mailer-daemon@example.test "$d/dsn.eml"
wait_for 20 processed 8
is "$(sql "$db" "SELECT count(*) FROM cases")" "$cases" "a bounce opens no case"
like "$(sql "$db" "SELECT c.ref || ' ' || e.detail FROM event e JOIN cases c ON c.id = e.case_id WHERE e.kind = 'undelivered'")" \
    "^PLA-$year-0001 our ack to alice@example.test was not delivered" "it is recorded in the right case"
wait_for 20 testbed_mailbox_has manager 1
ok $? "staff are told the complainant did not receive it"
like "$(testbed_imap_fetch manager 1 | tr -d '\r')" "Subject: .*PLA-$year-0001" "naming the case"
sleep 2
is "$(sql "$db" "SELECT count(*) FROM outbox WHERE rcpt LIKE 'mailer-daemon%'")" 0 "the bounce is never answered"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
