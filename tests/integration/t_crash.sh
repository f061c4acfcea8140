#!/bin/bash
# t_crash.sh: kill -9 recoursd at random moments while it ingests 500
# messages, restart, 20 times; then every message must be stored exactly
# once and parsed exactly once.  Each round delivers its own share of the
# messages while the daemon runs, so that every kill lands in the middle
# of fetching, storing or parsing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up

N=${CRASH_MESSAGES:-500}
ROUNDS=${CRASH_ROUNDS:-20}
db=$d/state/recoursd.db
mkdir -p "$d/templates" "$d/gen"
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
imap = { timeout = 10; backoff_max = 1; fetch_batch = 7; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT;
    ca_file = "$TESTBED_CA"; user = "client"; password = "$TESTBED_PASS"; after = "seen"; } );
EOC

# Messages of varied sizes, some with an attachment, each its own Message-ID.
awk -v n="$N" -v dir="$d/gen" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/%04d.eml", dir, i)
		printf "From: Plaignant %d <p%d@example.test>\r\nTo: client@example.test\r\n", i, i > f
		printf "Subject: [Reclamation] dossier %d\r\nMessage-ID: <crash-%d@example.test>\r\n", i, i > f
		printf "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" > f
		printf "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i > f
		printf "Content-Type: text/plain; charset=utf-8\r\n\r\nMessage %d\r\n", i > f
		for (j = 0; j < i % 40; j++) printf "ligne %d du message %d\r\n", j, i > f
		if (i % 5 == 0) {
			printf "--b%d\r\nContent-Type: application/pdf; name=\"piece-%d.pdf\"\r\n", i, i > f
			printf "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJeLjz9MK%08d\r\n", i > f
		}
		printf "--b%d--\r\n", i > f
		close(f)
	}
}'
per_round=$(( (N + ROUNDS - 1) / ROUNDS ))

done_count() { sql "$db" "SELECT count(*) FROM inbound WHERE state <> 'new'" 2>/dev/null || echo 0; }
round=0
set -- "$d"/gen/*.eml
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
	pid=$!
	# This round's messages arrive while the daemon runs (IDLE), and the
	# kill comes 50 to 800 ms later: during fetching, storing or parsing.
	wave=("${@:1:$per_round}")
	shift $(( $# < per_round ? $# : per_round ))
	testbed_imap_append client "${wave[@]}" &
	appender=$!
	sleep "$(awk -v s="$round$$" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.75 }')"
	kill -9 $pid
	wait $pid 2>/dev/null
	wait $appender
	echo "# round $round: killed with $(done_count) of $((round * per_round < N ? round * per_round : N)) delivered done"
done
is "$(testbed_mail_count client)" "$N" "$N messages delivered to client's INBOX over the rounds"
"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
all_done() { [ "$(done_count)" = "$N" ]; }
wait_for 60 all_done
ok $? "after $ROUNDS kill -9 rounds, all $N messages are done"
kill_wait $pid

is "$(sql "$db" "SELECT count(*) FROM inbound")" "$N" "each message stored once"
is "$(sql "$db" "SELECT count(DISTINCT uid) FROM inbound")" "$N" "with distinct UIDs"
is "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'processed'")" "$N" "all parsed"
is "$(sql "$db" "SELECT count(*), count(DISTINCT message_id) FROM message" | tr '|' ' ')" \
    "$N $N" "each parsed once: $N messages, $N distinct Message-IDs"
is "$(sql "$db" "SELECT count(*) FROM attachment")" "$((N / 5))" "every attachment recorded once"
missing=0
for h in $(sql "$db" "SELECT sha256 FROM inbound WHERE id NOT IN (SELECT inbound_id FROM inbound_raw)"); do
	[ -s "$d/state/raw/$(echo "$h" | cut -c1-2)/$h" ] || missing=$((missing + 1))
done
is "$missing" 0 "every stored row has its raw bytes, in the row or in the spool"
is "$(sql "$db" "SELECT count(*) FROM inbound i JOIN inbound_raw r ON r.inbound_id = i.id WHERE length(r.raw) <> i.size")" 0 \
    "and every raw blob is whole"
wait_for 10 testbed_mailbox_seen client "$N"
ok $? "all $N are \\Seen on the server"

done_testing
