#!/bin/bash
# t_ingest.sh: recoursd fetching from the real test bed (Postfix delivers
# to Dovecot over LMTP; recoursd reads over IMAPS and STARTTLS).  Checks:
# every message stored once and parsed, \Seen set only after the commit,
# IDLE brings a new message in seconds, a restart duplicates nothing, and
# each bad certificate is refused before any password is sent.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up

db=$d/state/recoursd.db
mkdir -p "$d/templates"
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
imap = { timeout = 10; backoff_max = 2; };
mailboxes = (
  { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; security = "imaps";
    ca_file = "$TESTBED_CA"; user = "client"; password = "$TESTBED_PASS"; after = "seen"; },
  { name = "secretariat"; host = "localhost"; port = $TESTBED_IMAP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; }
);
EOC

mkmail() {	# mkmail FILE SUBJECT MSGID
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voici ma r\303\251clamation.\r\n' "$2" "$3" > "$1"
}
for i in 1 2 3; do
	mkmail "$d/m$i.eml" "=?UTF-8?Q?R=C3=A9clamation?= $i" "ingest-$i"
	testbed_send alice@example.test client@example.test "$d/m$i.eml"
done
mkmail "$d/s1.eml" "Appel" "ingest-s1"
testbed_send alice@example.test secretariat@example.test "$d/s1.eml"
wait_for 10 testbed_mailbox_has client 3 && wait_for 10 testbed_mailbox_has secretariat 1
ok $? "the MTA delivered 4 messages to Dovecot"

processed() { [ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'processed'" 2>/dev/null)" = "$1" ]; }

daemon_start
wait_for 20 processed 4
ok $? "recoursd stored and parsed the 4 messages (IMAPS and STARTTLS)"
is "$(sql "$db" "SELECT subject FROM message WHERE message_id = 'ingest-1@example.test'")" \
    "Réclamation 1" "the encoded subject was decoded"
is "$(sql "$db" "SELECT count(*) FROM inbound GROUP BY mailbox ORDER BY mailbox" | tr '\n' ' ')" \
    "3 1 " "3 from client, 1 from secretariat"
wait_for 5 testbed_mailbox_seen client 3
ok $? "after = seen: the client messages are \\Seen on the server"
testbed_mailbox_seen secretariat 0
ok $? "after = leave: secretariat's message untouched"

# IDLE: a message delivered while recoursd idles arrives in seconds.
mkmail "$d/m4.eml" "Plainte" "ingest-4"
t0=$(date +%s.%N)
testbed_send alice@example.test client@example.test "$d/m4.eml"
wait_for 10 processed 5
ok $? "a message delivered during IDLE is fetched"
awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { printf "# delivery to parsed: %.2f s (Dovecot notifies IDLE after 0.5 s)\n", t1 - t0 }' 

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: clean exit"
"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
sleep 2
is "$(sql "$db" "SELECT count(*) FROM inbound")" 5 "a restart fetches nothing twice"
kill_wait $pid

# A window of new mail mixing small messages and one above stream_threshold:
# the big one is streamed to the spool, the small ones come in one FETCH,
# and the three rows are committed together, in the order of their UIDs.
mkmail "$d/w1.eml" "Petite 1" "window-1"
mkmail "$d/w2.eml" "Grande" "window-2"
{ head -c 6000 /dev/zero | tr '\0' x; printf '\r\n'; } >> "$d/w2.eml"
mkmail "$d/w3.eml" "Petite 2" "window-3"
testbed_imap_append manager "$d/w1.eml" "$d/w2.eml" "$d/w3.eml"
sed -e "s/port = $TESTBED_IMAPS_PORT; security = \"imaps\"/port = $TESTBED_IMAP_PORT; security = \"none\"/" \
    -e 's/user = "client"/user = "manager"/' -e 's|state/recoursd.db|window/recoursd.db|' \
    -e 's|spool = "state"|spool = "window"|' "$d/recoursd.conf" > "$d/window.conf"
echo 'limits = { stream_threshold = 4096; };' >> "$d/window.conf"
"$RECOURSD" -d -v -f "$d/window.conf" >"$d/window.log" 2>&1 &
wpid=$!
at_exit "kill_wait $wpid"
wdb=$d/window/recoursd.db
wprocessed() { [ "$(sql "$wdb" "SELECT count(*) FROM inbound WHERE mailbox = 'client' AND state = 'processed'" 2>/dev/null)" = 3 ]; }
wait_for 20 wprocessed
ok $? "small, big and small messages are all stored and parsed"
kill_wait $wpid
like "$(grep 'stored' "$d/window.log")" "stored 3 message\(s\), UID 1\.\.3" \
    "in one commit"
is "$(sql "$wdb" "SELECT group_concat(uid) FROM (SELECT uid FROM inbound WHERE mailbox = 'client' ORDER BY id)")" \
    "1,2,3" "in the order of their UIDs"
is "$(sql "$wdb" "SELECT group_concat(m.subject, '|') FROM (SELECT m.subject FROM inbound i JOIN message m ON m.inbound_id = i.id LEFT JOIN inbound_raw r ON r.inbound_id = i.id WHERE r.inbound_id IS NULL) m")" \
    "Grande" "the big one from the spool, the small ones from their rows"

# Bad certificates: refused before LOGIN, so Dovecot never sees the user.
for cert in untrusted wrongname expired; do
	testbed_use_cert "$cert"
	for sec in imaps starttls; do
		port=$TESTBED_IMAPS_PORT; [ $sec = starttls ] && port=$TESTBED_IMAP_PORT
		user=bob
		sed -e "s/port = $TESTBED_IMAPS_PORT; security = \"imaps\"/port = $port; security = \"$sec\"/" \
		    -e 's/user = "client"/user = "'$user'"/' "$d/recoursd.conf" > "$d/bad.conf"
		: > "$d/bad.log"
		"$RECOURSD" -d -f "$d/bad.conf" >"$d/bad.log" 2>&1 &
		bpid=$!
		wait_for 10 grep -q "certificate not trusted" "$d/bad.log"
		ok $? "$cert certificate refused over $sec"
		kill_wait $bpid
		if testbed_dovecot_saw_user $user; then
			ok 1 "$cert over $sec: no password sent"
			testbed_logs | tail -5 | sed 's/^/#   /'
		else
			ok 0 "$cert over $sec: no password sent"
		fi
	done
done
grep -h "certificate not trusted" "$d/bad.log" | head -1 | sed 's/^/# /'
testbed_use_cert good

done_testing || { sed 's/^/# log: /' "$d/recoursd.log" | tail -30; exit 1; }
