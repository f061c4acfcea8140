#!/bin/bash
# t_smtp_down.sh: the SMTP server stopped while complaints arrive, then
# started again: the acknowledgements wait in the outbox (nothing lost),
# are retried with backoff, and each reaches its complainant exactly once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# The clock stands still at Tuesday 3 March 2026, 10:00 in Paris until
# the test moves it past the backoff.
export RECOURSD_CLOCK_FILE=$d/clock
t0=$(clock_epoch "2026-03-03 10:00")
clock_at "@$t0"
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
imap = { timeout = 5; };
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "client"; password = "$TESTBED_PASS"; } );
EOC
daemon_start
postfix -c "$TESTBED_DIR/postfix" stop >/dev/null 2>&1
gone() { ! testbed_port_open "$TESTBED_SMTP_PORT"; }
wait_for 10 gone
ok $? "Postfix is stopped"

# Delivered straight to Dovecot (LMTP) while the MTA is down.
for u in alice bob staff2; do
	printf 'From: %s@example.test\r\nTo: client@example.test\r\nSubject: [Plainte] %s\r\nMessage-ID: <down-%s@example.test>\r\n\r\nTexte.\r\n' \
	    "$u" "$u" "$u" > "$d/$u.eml"
	testbed_imap_append client "$d/$u.eml"
done
pending() { [ "$(sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'pending' AND attempts >= 1")" = 3 ]; }
wait_for 30 pending
ok $? "three acknowledgements wait in the outbox, tried once"
like "$(sql "$db" "SELECT DISTINCT reply FROM outbox WHERE kind = 'ack'")" "cannot connect" "the reason is kept"

postfix -c "$TESTBED_DIR/postfix" start >/dev/null 2>&1
back() { testbed_port_open "$TESTBED_SMTP_PORT"; }
wait_for 20 back
ok $? "Postfix is started again"
clock_at "@$((t0 + 3 * 3600))"
kill -USR1 $pid
all_acked() { testbed_mailbox_has alice 1 && testbed_mailbox_has bob 1 && testbed_mailbox_has staff2 1; }
wait_for 30 all_acked
ok $? "after the backoff every acknowledgement is delivered"
sleep 3
kill -USR1 $pid
sleep 2
is "$(testbed_mail_count alice) $(testbed_mail_count bob) $(testbed_mail_count staff2)" "1 1 1" \
    "each exactly once"
is "$(sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'")" 3 "all three rows sent"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
