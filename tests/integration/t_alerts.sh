#!/bin/bash
# t_alerts.sh: a mailbox that fails for longer than mailbox_down_after gets
# one alert to the administrator, sent through the real Postfix (STARTTLS,
# certificate checked, AUTH PLAIN), and one more when it works again; a
# recipient the server refuses (5xx) fails at once; an SMTP server with an
# untrusted certificate is refused before AUTH; recoursctl outbox shows and
# retries.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db

conf() {	# conf IMAP_PASSWORD ADMIN SMTP_CA
	cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Organisme (test)"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
imap = { timeout = 5; backoff_max = 1; };
alerts = { admin = "$2"; mailbox_down_after = 10; };
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$3"; user = "staff1"; password = "$TESTBED_PASS"; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT;
    ca_file = "$TESTBED_CA"; user = "client"; password = "$1"; } );
EOC
}

conf wrong manager@example.test "$TESTBED_CA"
daemon_start
wait_for 30 testbed_mailbox_has manager 1
ok $? "a mailbox failing for 10 s alerts the administrator by mail"
alert=$(testbed_imap_fetch manager 1 2>&1)
like "$alert" "Subject: .*=\?(utf|UTF)-8\?[bBqQ]\?" "the subject is RFC 2047-encoded (the accented word)"
like "$alert" "From: \"Organisme \(test\)\" <recours@example.test>" "From: the organisation"
like "$alert" "Auto-Submitted: auto-generated" "Auto-Submitted: auto-generated"
like "$alert" "X-Loop: recoursd@example.test" "X-Loop names us"
like "$alert" "Message-Id: <[^>]+@example.test>" "a Message-ID of our domain"
like "$alert" "Content-Transfer-Encoding: quoted-printable" "body in quoted-printable"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" outbox list 2>&1)
like "$out" "sent +alert-down +manager@example.test +1 try$" "recoursctl outbox: sent"
like "$out" "^ +sent: 250 .*queued as" "with the server's reply and queue id below"
sleep 6
is "$(testbed_mail_count manager)" 1 "one alert, not one per check"

conf "$TESTBED_PASS" manager@example.test "$TESTBED_CA"
kill -HUP $pid
wait_for 30 testbed_mailbox_has manager 2
ok $? "after the fix and a reload, the recovery is announced"
like "$(testbed_imap_fetch manager 2 2>&1)" "de nouveau accessible" "in French by default"

# 5xx: Postfix refuses a domain it does not serve; the row fails at once.
kill_wait $pid
conf wrong nobody@elsewhere.invalid "$TESTBED_CA"
sql "$db" "UPDATE mailbox_state SET failing_since = 1, alerted = 0"
daemon_start
failed() { [ "$(sql "$db" "SELECT count(*) FROM outbox WHERE state = 'failed'")" = 1 ]; }
wait_for 30 failed
ok $? "a recipient refused with 5xx fails at once"
like "$(sql "$db" "SELECT attempts || ' ' || reply FROM outbox WHERE state = 'failed'")" \
    "^1 RCPT: 5[0-9][0-9] " "after one attempt, with the RCPT reply kept"
id=$(sql "$db" "SELECT id FROM outbox WHERE state = 'failed'")
out=$("$RECOURSCTL" -f "$d/recoursd.conf" outbox retry "$id" 2>&1)
like "$out" "pending again" "recoursctl outbox retry puts it back"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" outbox retry 999 2>&1); rc=$?
is "$rc" 1 "retrying a row that is not failed is an error"
kill_wait $pid

# An untrusted SMTP certificate: refused before AUTH, retried later.
conf wrong manager@example.test "$TESTBED_DIR/tls/untrusted-ca.pem"
sql "$db" "UPDATE mailbox_state SET failing_since = 1, alerted = 0; DELETE FROM outbox"
: > "$d/recoursd.log"
daemon_start
wait_for 30 grep -q "certificate not trusted" "$d/recoursd.log"
ok $? "an SMTP server whose certificate does not verify is refused"
pending() { [ "$(sql "$db" "SELECT state FROM outbox")" = pending ]; }
wait_for 5 pending
ok $? "the alert stays pending, to be retried: nothing lost"
is "$(testbed_mail_count manager)" 2 "and nothing was sent"
if grep -q "sasl_username=staff1" "$TESTBED_DIR/log/postfix.log" 2>/dev/null &&
    [ "$(grep -c 'sasl_username=staff1' "$TESTBED_DIR/log/postfix.log")" -gt 2 ]; then
	ok 1 "no AUTH after a refused certificate"
else
	ok 0 "no AUTH after a refused certificate"
fi
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
