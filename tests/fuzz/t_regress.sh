#!/bin/sh
# t_regress.sh: every input under tests/fuzz/regress/TARGET/ once crashed
# or hung a fuzz target; the plain build replays each through the same
# code (tests/fuzz/replay), so that a fixed bug stays fixed without clang.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

replay=${top_builddir:-.}/tests/fuzz/replay
# Under the sanitizers, the leaks of the libraries below us (lsan.supp).
LSAN_OPTIONS=suppressions=$top_srcdir/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export LSAN_OPTIONS
for t in msg html tnef template config calendar dsn; do
	dir=$top_srcdir/tests/fuzz/regress/$t
	n=$(find "$dir" -type f 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		skip "$t" "no input kept for this target yet"
		continue
	fi
	out=$("$replay" "$t" "$dir" 2>&1)
	ok $? "$t: the $n kept input(s) replay without a crash"
	echo "$out" | tail -3 | sed 's/^/# /'
done
done_testing
