#!/bin/bash
# ingest.sh: recoursd's ingest rate against the raw limits of this
# machine, all measured in the same run (make bench; not part of check).
#
#   a  a minimal libetpan UID FETCH loop, bytes discarded
#   b  GMime parsing the same messages from files
#   c  SQLite inserts, one transaction each, WAL + synchronous=FULL
#   combined per-core limit = 1 / (1/a + 1/b + 1/c)
#   d  recoursd: durable fetch + parse + store, from a cold start
#
# Prints each rate, d / combined (goal >= 1.0), and recoursd's peak RSS
# ingesting one message with a 5 MB and one with a 50 MB attachment
# (goal <= 32 MB, the two within 4 MB).  BENCH_MESSAGES sets the count.
set -eu
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/bench/bench.sh"
bench_corpus
N=${BENCH_MESSAGES:-5000}

scratch
testbed_start >"$d/testbed.out" 2>&1 || { cat "$d/testbed.out"; exit 1; }
at_exit testbed_stop

# N messages drawn from the corpus, in turn; the ones GMime cannot parse
# at all stay in (they are part of the real mix and get quarantined).
mkdir -p "$d/msgs"
set -- "$corpus"/*.eml
i=0
while [ $i -lt "$N" ]; do
	for f in "$@"; do
		[ $i -ge "$N" ] && break
		i=$((i + 1))
		cp "$f" "$d/msgs/$(printf %05d $i).eml"
	done
done
user=client
testbed_imap_append $user "$d"/msgs/*.eml
echo "messages: $N (corpus mix, $(du -sh "$d/msgs" | cut -f1))"

a=$("$raw" fetch 127.0.0.1 "$TESTBED_IMAP_PORT" $user "$TESTBED_PASS" | awk '{ print $2 }')
b=$("$raw" parse "$d"/msgs/*.eml | awk '{ print $2 }')
c=$("$raw" insert "$d/insert.db" "$d"/msgs/*.eml | awk '{ print $2 }')
combined=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.0f", 1 / (1/a + 1/b + 1/c) }')

bench_conf
db=$d/state/recoursd.db
done_count() { sqlite3 -cmd ".timeout 5000" "$db" "SELECT count(*) FROM inbound WHERE state <> 'new'" 2>/dev/null || echo 0; }
t0=$(date +%s.%N)
"$top_builddir/recoursd" -d -f "$d/recoursd.conf" >"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
all_done() { [ "$(done_count)" -ge "$N" ]; }
wait_for 600 all_done
t1=$(date +%s.%N)
kill_wait $pid
dr=$(awk -v n="$N" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", n / (t1 - t0) }')

printf 'a  raw UID FETCH          %8s msg/s\n' "$a"
printf 'b  raw GMime parse        %8s msg/s\n' "$b"
printf 'c  raw SQLite insert      %8s msg/s\n' "$c"
printf '   combined 1/(1/a+1/b+1/c) %6s msg/s\n' "$combined"
printf 'd  recoursd fetch+parse+store %4s msg/s\n' "$dr"
awk -v d="$dr" -v c="$combined" 'BEGIN { printf "ratio d / combined: %.2f (goal >= 1.0)\n", d / c }'
echo "quarantined: $(sqlite3 -cmd ".timeout 5000" "$db" "SELECT count(*) FROM inbound WHERE state = 'quarantined'")"

# Peak RSS for one big message, each in a fresh daemon and database.
one_done() { [ "$(done_count)" -ge 1 ]; }
for mb in 5 50; do
	big=$d/big$mb.eml
	{
		printf 'From: a@example.test\r\nTo: client@example.test\r\nSubject: big %s\r\n' $mb
		printf 'Message-ID: <big%s@example.test>\r\nMIME-Version: 1.0\r\n' $mb
		printf 'Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nvoir PJ\r\n'
		printf -- '--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n'
		head -c $((mb * 1024 * 1024)) /dev/urandom | base64 -w 76 | sed 's/$/\r/'
		printf -- '--B--\r\n'
	} > "$big"
	testbed_imap_append bob "$big"
	rm -rf "$d/state"
	sed -e 's/user = "'$user'"/user = "bob"/' "$d/recoursd.conf" > "$d/big.conf"
	"$top_builddir/recoursd" -d -f "$d/big.conf" >>"$d/recoursd.log" 2>&1 &
	pid=$!
	wait_for 120 one_done
	rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)
	kill_wait $pid
	printf 'peak RSS, %2s MB attachment: %s MB (goal <= 32)\n' $mb "$rss"
	testbed_imap_delete_all bob
done
