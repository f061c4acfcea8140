#!/bin/bash
# inject.sh: recoursctl inject to the running daemon, against a raw floor
# measured in the same run (make bench; not part of check).
#
#   floor   a minimal libetpan SMTP submission of a message of the size
#           of an acknowledgement to the same Postfix, one at a time, each
#           on its own connection: connect to the 250 after DATA
#   inject  from the start of "recoursctl inject FILE" to the MTA's 250
#           for the acknowledgement of that message (as recoursd logs it)
#
# BENCH_INJECTS messages (200), one at a time; p50 and p99 of both (goal:
# inject p50 <= floor p50 + 20 ms).  Then the 136 messages of the corpus
# through inject, one after the other, into a fresh daemon and database:
# its throughput and peak RSS.
set -eu
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/bench/bench.sh"
bench_corpus
N=${BENCH_INJECTS:-200}
ctl=$top_builddir/recoursctl

bench_mailsystem

# recoursd, ready when its control socket is.
start_recoursd() {
	bench_recoursd "$1"
	wait_for 10 test -S "$d/state/recoursd.sock"
}

cat > "$d/drive.py" <<'PY'
import subprocess, sys, time

ctl, conf, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
acks, partial = [], ""

def read_acks(log):
    global partial
    partial += log.read()
    *lines, partial = partial.split("\n")
    for line in lines:
        if " to alice@example.test: sent: 250" in line:
            acks.append(float(line.split(" ", 1)[0]))

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

log = open(d + "/recoursd.log")
lat = []
for k in range(n):
    path = "%s/m%d.eml" % (d, k)
    open(path, "wb").write(("From: Alice <alice@example.test>\r\n"
        "To: client@example.test\r\nSubject: [Réclamation] commande %d\r\n"
        "Message-ID: <inject%d@example.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Ma commande n°%d n'est pas arrivée.\r\n" % (k, k, k)).encode())
    t0 = time.time() * 1000
    subprocess.run([ctl, "-f", conf, "inject", path, "--mailbox", "client"],
        check=True, stdout=subprocess.DEVNULL)
    end = time.time() + 30
    while len(acks) < k + 1 and time.time() < end:
        time.sleep(0.001)
        read_acks(log)
    if len(acks) < k + 1:
        sys.exit("bench: no acknowledgement for message %d" % k)
    lat.append(acks[k] - t0)
    time.sleep(0.02)
print("%.1f %.1f" % (pct(lat, 50), pct(lat, 99)))
PY

start_recoursd recoursd.log
sleep 1
read i50 i99 < <(python3 "$d/drive.py" "$ctl" "$d/recoursd.conf" "$N" "$d")
kill_wait $pid
sqlite3 "$d/state/recoursd.db" "SELECT data FROM outbox WHERE kind = 'ack' LIMIT 1" > "$d/ack.eml"
read _ f50 f99 < <("$raw" submit 127.0.0.1 "$TESTBED_SMTP_PORT" recours@example.test alice@example.test "$N" "$d/ack.eml")
echo "inject, one at a time: $N messages"
printf 'floor   p50 %6.1f ms  p99 %6.1f ms  (raw libetpan SMTP submission)\n' "$f50" "$f99"
printf 'inject  p50 %6.1f ms  p99 %6.1f ms  (recoursctl inject -> MTA 250)\n' "$i50" "$i99"
awk -v i="$i50" -v f="$f50" 'BEGIN { printf "inject p50 - floor p50: %+.1f ms (goal <= 20)\n", i - f }'

# The corpus through inject, into a fresh daemon and database.
rm -rf "$d/state"
start_recoursd corpus.log
set -- "$corpus"/*.eml
t0=$(date +%s%N)
for f in "$@"; do
	"$ctl" -f "$d/recoursd.conf" inject "$f" --mailbox client >/dev/null
done
t1=$(date +%s%N)
rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)
kill_wait $pid
awk -v n=$# -v ns=$((t1 - t0)) -v rss="$rss" 'BEGIN {
	printf "corpus through inject: %d messages, %.1f msg/s (each stored, processed and answered), peak RSS %s MB\n", n, n / (ns / 1e9), rss }'
