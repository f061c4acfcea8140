#!/bin/bash
# demo.sh BUILD_DIR: the main job, end to end, in a sandbox.
#
# Starts a private Dovecot and Postfix on 127.0.0.1 (tests/testbed.sh),
# sends contrib/samples/plainte.eml from alice@ to client@example.test
# through Postfix, runs recoursd on that mailbox over IMAPS (certificate
# checked against the sandbox's own CA), and shows the case it opened and
# the acknowledgement that reaches Alice's mailbox, sent back through
# Postfix (STARTTLS, AUTH).  Stops everything it started, by PID, whatever
# happens.  Called by "contrib/dev.sh demo".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
export top_srcdir=$top top_builddir=$build
. "$top/tests/lib.sh"
. "$top/tests/testbed.sh"

testbed_usable || { echo "demo: $testbed_why" >&2; exit 1; }
d=$(mktemp -d /tmp/recoursd-demo.XXXXXX)
at_exit 'rm -rf "$d"'
echo "== Starting the sandbox: Dovecot (IMAP, LMTP) and Postfix on 127.0.0.1"
testbed_start >"$d/testbed.out" 2>&1 || { cat "$d/testbed.out"; exit 1; }
at_exit testbed_stop
echo "   IMAPS port $TESTBED_IMAPS_PORT, SMTP port $TESTBED_SMTP_PORT, domain example.test"

cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Organisme de certification (démo)"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top/rules";
templates = "$top/templates";
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; };
mailboxes = (
  { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; security = "imaps";
    ca_file = "$TESTBED_CA"; user = "client"; password = "$TESTBED_PASS"; after = "seen"; }
);
EOC
echo
echo "== Checking the configuration: recoursd -n"
"$RECOURSD" -n -f "$d/recoursd.conf"

echo
echo "== Starting recoursd on client@example.test (IMAPS, IDLE)"
"$RECOURSD" -d -v -f "$d/recoursd.conf" >"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
sleep 1

echo
echo "== Alice sends a complaint to client@example.test through Postfix"
sed -n 's/^Subject: //p' "$top/contrib/samples/plainte.eml" | head -1 | sed 's/^/   Subject (raw): /'
TESTBED_SEND_AUTH=1 testbed_send alice@example.test client@example.test "$top/contrib/samples/plainte.eml"
db=$d/state/recoursd.db
acked() { testbed_mailbox_has alice 1; }
wait_for 30 acked || { echo "demo: no acknowledgement arrived"; cat "$d/recoursd.log"; exit 1; }

echo
echo "== The case recoursd opened"
sqlite3 -cmd ".timeout 5000" -line "$db" "SELECT ref, type, state, complainant_name, complainant_addr, datetime(opened_at, 'unixepoch', 'localtime') AS opened FROM cases"
echo "   attachments kept with it:"
sqlite3 -cmd ".timeout 5000" "$db" "SELECT '   - ' || filename || ' (' || content_type || ', ' || size || ' bytes)' FROM attachment"
echo "   its events (hash-chained):"
sqlite3 -cmd ".timeout 5000" "$db" "SELECT '   ' || datetime(at, 'unixepoch', 'localtime') || '  ' || kind || '  ' || actor FROM event ORDER BY id"

echo
echo "== The acknowledgement in Alice's mailbox (read back over IMAPS)"
testbed_imap_fetch alice 1 | tr -d '\r' | python3 -c '
import email, sys
from email.header import decode_header, make_header
m = email.message_from_binary_file(sys.stdin.buffer)
for h in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "Auto-Submitted", "Content-Language"):
    if m[h] is not None:
        print("   %s: %s" % (h, make_header(decode_header(m[h]))))
print()
for line in m.get_payload(decode=True).decode("utf-8").splitlines():
    print("   | " + line)
'
echo
echo "== recoursctl outbox (the server's reply is kept as proof of sending)"
"$RECOURSCTL" -f "$d/recoursd.conf" outbox list | sed 's/^/   /'

echo
echo "== recoursd's log"
sed 's/^/   /' "$d/recoursd.log"
