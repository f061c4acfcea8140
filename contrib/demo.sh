#!/bin/bash
# demo.sh BUILD_DIR: the main job, end to end, in a sandbox.
#
# Starts a private Dovecot and Postfix on 127.0.0.1 (tests/testbed.sh),
# sends contrib/samples/plainte.eml to client@example.test through Postfix,
# runs recoursd on that mailbox over IMAPS (certificate checked against the
# sandbox's own CA), and shows what recoursd stored.  Stops everything it
# started, by PID, whatever happens.  Called by "contrib/dev.sh demo".
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
stored() { [ "$(sqlite3 -cmd ".timeout 5000" "$db" "SELECT count(*) FROM message" 2>/dev/null)" = 1 ]; }
wait_for 20 stored || { echo "demo: recoursd did not store the message"; cat "$d/recoursd.log"; exit 1; }

echo
echo "== What recoursd stored (recoursctl status, then the database)"
"$RECOURSCTL" -f "$d/recoursd.conf" status
sqlite3 -cmd ".timeout 5000" -line "$db" "SELECT subject, from_name, from_addr, datetime(date, 'unixepoch') AS date, message_id FROM message"
sqlite3 -cmd ".timeout 5000" -line "$db" "SELECT filename, content_type, size, sha256 FROM attachment"
echo "   body:"
sqlite3 -cmd ".timeout 5000" "$db" "SELECT body FROM message" | sed 's/^/   | /'
testbed_mailbox_seen client 1 && echo "   (the message is now \\Seen on the server: after = \"seen\")"

echo
echo "== recoursd's log"
sed 's/^/   /' "$d/recoursd.log"
echo
echo "Cases, acknowledgements and deadlines are the next steps of the pipeline"
echo "(see README.md, 'What works today')."
