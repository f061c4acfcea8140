#!/bin/bash
# ack-latency.sh: how soon a complainant's mail is acknowledged, against
# the floor measured in the same run (make bench; not part of check).
#
#   floor   a minimal libetpan IDLE client on the same mailbox: the time
#           from delivery to its being told (Dovecot waits about 500 ms
#           before it notifies an idling client)
#   ack     recoursd: the time from delivery (LMTP to Dovecot) to its
#           acknowledgement being accepted by the MTA (Postfix's 250, as
#           recoursd logs it)
#
# BENCH_ACKS messages (200) are delivered one at a time, each after the
# previous one's acknowledgement; p50 and p99 of both are printed (goal:
# p50 <= floor + 100 ms, p99 <= floor + 500 ms).  Then a burst of
# BENCH_BURST (2000) delivered at once: the acknowledgement throughput
# against a minimal libetpan SMTP loop sending as many similar messages
# to the same MTA (goal >= 0.5 of it).
set -eu
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/bench/bench.sh"
N=${BENCH_ACKS:-200}
BURST=${BENCH_BURST:-2000}

bench_mailsystem

# The floor: an IDLE client on the same mailbox, its lines stamped.
"$raw" idle 127.0.0.1 "$TESTBED_IMAP_PORT" client "$TESTBED_PASS" $((4 * N)) > "$d/idle.out" &
idle_pid=$!
at_exit "kill_wait $idle_pid"
idle_ready() { grep -q ready "$d/idle.out"; }
wait_for 10 idle_ready


cat > "$d/drive.py" <<'PY'
import smtplib, sys, time

mode, port, n, burst, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
acks = []                       # ms at which each acknowledgement was accepted

partial = ""                    # a line being written: read it whole later

def read_acks(log):
    global partial
    partial += log.read()
    *lines, partial = partial.split("\n")
    for line in lines:
        if " to alice@example.test: sent: 250" in line:
            acks.append(float(line.split(" ", 1)[0]))

def message(k):
    return ("From: Alice <alice@example.test>\r\nTo: client@example.test\r\n"
        "Subject: [Réclamation] commande %d\r\nMessage-ID: <bench%d@example.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Ma commande n°%d n'est pas arrivée.\r\n" % (k, k, k)).encode()

def wait_acks(log, count, limit):
    end = time.time() + limit
    while len(acks) < count and time.time() < end:
        time.sleep(0.002)
        read_acks(log)
    if len(acks) < count:
        sys.exit("bench: only %d of %d acknowledgements" % (len(acks), count))

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

if mode == "one-by-one":
    log = open(d + "/recoursd.log")
    delivered = []
    for k in range(n):
        c = smtplib.LMTP("127.0.0.1", port)
        c.sendmail("alice@example.test", ["client@example.test"], message(k))
        c.quit()
        delivered.append(time.time() * 1000)
        wait_acks(log, k + 1, 30)
        time.sleep(0.05)
    seen = [float(l.split()[2]) for l in open(d + "/idle.out") if l.startswith("seen")]
    lat = [a - t for a, t in zip(acks, delivered)]
    # Each delivery's floor: the first wake-up of the IDLE client after it
    # (Dovecot may also wake it for flag changes and the like).
    floor = [min([s for s in seen if s > t] or [float("nan")]) - t for t in delivered]
    floor = [f for f in floor if f == f]
    f50, f99, a50, a99 = pct(floor, 50), pct(floor, 99), pct(lat, 50), pct(lat, 99)
    print("messages one by one: %d (floor measured on %d)" % (n, len(floor)))
    print("floor  p50 %6.0f ms  p99 %6.0f ms  (raw IDLE client)" % (f50, f99))
    print("ack    p50 %6.0f ms  p99 %6.0f ms  (delivery -> MTA's 250)" % (a50, a99))
    print("p50 - floor p50: %+.0f ms (goal <= 100); p99 - floor p99: %+.0f ms (goal <= 500)"
          % (a50 - f50, a99 - f99))
elif mode == "deliver":
    c = smtplib.LMTP("127.0.0.1", port)
    for k in range(n, n + burst):
        c.sendmail("alice@example.test", ["client@example.test"], message(k))
    c.quit()
elif mode == "burst":
    t0 = float(open(d + "/burst.t0").read())
    wait_acks(open(d + "/burst.log"), burst, 900)
    rate = burst / ((acks[-1] - t0) / 1000)
    queued = [float(l.split(" ", 1)[0]) for l in open(d + "/burst.log")
              if "acknowledgement queued" in l]
    if queued:
        print("burst: the last acknowledgement queued after %.1f s, sent after %.1f s"
              % ((queued[-1] - t0) / 1000, (acks[-1] - t0) / 1000))
    open(d + "/burst.rate", "w").write("%.1f\n" % rate)
    print("burst of %d, recoursd started on them: %.1f acknowledgements/s" % (burst, rate))
PY
drive() { python3 "$d/drive.py" "$1" "$TESTBED_LMTP_PORT" "$N" "$BURST" "$d"; }

bench_recoursd recoursd.log
started() { grep -q "started" "$d/recoursd.log"; }
wait_for 10 started
sleep 1
drive one-by-one

# The burst: delivered while recoursd is stopped, then it starts on them.
kill_wait $pid
drive deliver
date +%s%3N > "$d/burst.t0"
bench_recoursd burst.log
drive burst

# The raw SMTP loop: as many messages the size of an acknowledgement.
sqlite3 "$d/state/recoursd.db" "SELECT data FROM outbox WHERE kind = 'ack' LIMIT 1" > "$d/ack.eml"
s=$("$raw" smtp 127.0.0.1 "$TESTBED_SMTP_PORT" recours@example.test alice@example.test "$BURST" "$d/ack.eml" | awk '{ print $2 }')
r=$(cat "$d/burst.rate")
printf 'raw SMTP loop: %s msg/s\n' "$s"
awk -v r="$r" -v s="$s" 'BEGIN { printf "ratio burst / raw SMTP: %.2f (goal >= 0.5)\n", r / s }'
