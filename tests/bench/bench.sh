# bench.sh: what the benchmarks share, sourced after set -eu: the paths,
# tests/lib.sh and the test bed (or exit 1 saying why it cannot run).
#
#   bench_corpus          $corpus, the real-world messages, or exit 1
#   bench_conf [LINES]    $d/recoursd.conf for a daemon on the test bed's
#                         mailbox client over plain IMAP, with LINES
#                         added (an smtp block, limits)
#   bench_mailsystem      a scratch $d, Dovecot and Postfix started (and
#                         stopped at exit), and $d/recoursd.conf for a
#                         daemon on them: plain IMAP and SMTP, no limit
#                         on acknowledgements per sender
#   bench_recoursd LOG    recoursd on it, each line of its log ($d/LOG)
#                         stamped with the time it was written (ms); its
#                         PID in $pid, stopped at exit
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"
testbed_usable || { echo "bench: $testbed_why"; exit 1; }
raw=$top_builddir/tests/bench/rawlimits

bench_corpus() {
	corpus=${RECOURSD_CORPUS:-$top_srcdir/../shared/corpus}
	[ -d "$corpus" ] || { echo "bench: no corpus at $corpus"; exit 1; }
}

bench_conf() {
	cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Bench"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
mailboxes = ( { name = "client"; host = "127.0.0.1"; port = $TESTBED_IMAP_PORT;
    security = "none"; user = "client"; password = "$TESTBED_PASS"; } );
${1:-}
EOC
}

bench_mailsystem() {
	scratch
	# BENCH_KEEP=DIR: the logs are copied there at the end, for a
	# post-mortem.
	[ -n "${BENCH_KEEP:-}" ] && at_exit "cp $d/*.log $d/*.out ${BENCH_KEEP}/"
	TESTBED_MTA=postfix testbed_start >"$d/testbed.out" 2>&1 ||
	    { cat "$d/testbed.out"; exit 1; }
	at_exit testbed_stop
	bench_conf "limits = { acks_per_hour = 10000; };
smtp = { host = \"127.0.0.1\"; port = $TESTBED_SMTP_PORT; security = \"none\"; };"
}

bench_recoursd() {
	rm -f "$d/log.fifo"
	mkfifo "$d/log.fifo"
	python3 -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time() * 1000, line))
' < "$d/log.fifo" > "$d/$1" &
	at_exit "kill_wait $!"
	"$top_builddir/recoursd" -d -v -f "$d/recoursd.conf" > "$d/log.fifo" 2>&1 &
	pid=$!
	at_exit "kill_wait $pid"
}
