#!/bin/sh
# run.sh TARGET...: run each libFuzzer target for $FUZZ_SECONDS (default
# 60) on its seed corpus, with its dictionary, and print one line each:
# seconds, executions, executions per second, coverage (edges, features),
# corpus size, and crashes.  The seeds
# are the test messages of ../shared/corpus (or $RECOURSD_CORPUS), the
# shipped rules, templates and configuration, and tests/fuzz/seeds/.
# A crash, a leak or a timeout leaves its input in
# $top_builddir/fuzz-out/TARGET/ and makes the run fail: fix the bug and
# keep the input in tests/fuzz/regress/TARGET/.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
seconds=${FUZZ_SECONDS:-60}
corpus=${RECOURSD_CORPUS:-$top_srcdir/../shared/corpus}
out=$top_builddir/fuzz-out
fuzz=$top_srcdir/tests/fuzz

# seeds TARGET DIR: the initial inputs of TARGET, copied into DIR.
seeds() {
	mkdir -p "$2"
	[ -d "$fuzz/seeds/$1" ] && cp "$fuzz/seeds/$1"/* "$2"/ 2>/dev/null
	[ -d "$fuzz/regress/$1" ] && cp "$fuzz/regress/$1"/* "$2"/ 2>/dev/null
	case $1 in
	msg|dsn|html)
		[ -d "$corpus" ] && cp "$corpus"/*.eml "$2"/ 2>/dev/null ;;
	tnef)
		# The winmail.dat files the corpus carries, decoded.
		[ -d "$corpus" ] && python3 - "$corpus" "$2" <<'PY'
import email, email.policy, glob, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "*.eml")):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.compat32)
    for i, part in enumerate(m.walk()):
        if part.get_content_type() == "application/ms-tnef" or \
           (part.get_filename() or "").lower() == "winmail.dat":
            data = part.get_payload(decode=True)
            if data:
                name = "%s.%d" % (os.path.basename(path), i)
                open(os.path.join(sys.argv[2], name), "wb").write(data)
PY
		;;
	template)
		for f in "$top_srcdir"/templates/*/*.txt; do
			{ cat "$f"; printf '\0case.ref=REC-2026-0001\ntext=x\n'; } \
			    > "$2/$(basename "$(dirname "$f")")-$(basename "$f")"
		done ;;
	config)
		for f in "$top_srcdir"/rules/*.conf "$top_srcdir"/contrib/profiles/*/rules/*.conf; do
			{ printf '\0'; cat "$f"; } > "$2/rules-$(echo "$f" | tr / _)"
		done
		for f in "$top_srcdir"/contrib/recoursd.conf "$top_srcdir"/contrib/profiles/*/recoursd.conf; do
			[ -f "$f" ] && { printf '\1'; cat "$f"; } > "$2/conf-$(echo "$f" | tr / _)"
		done ;;
	calendar)
		grep -ho 'within = "[^"]*"' "$top_srcdir"/rules/*.conf \
		    "$top_srcdir"/contrib/profiles/*/rules/*.conf 2>/dev/null |
		    sed 's/within = "\(.*\)"/\1/' | sort -u | while read -r d; do
			printf '%s\0002026-12-28T10:00' "$d" > "$2/$(echo "$d" | tr ' /' '__')"
		done ;;
	esac
}

# Leaks in the libraries below us, not ours: lsan.supp says which.
LSAN_OPTIONS=suppressions=$fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export LSAN_OPTIONS
failed=0
printf '%-9s %5s %10s %8s %7s %7s %6s %s\n' target s runs 'exec/s' cov ft \
    corpus crashes
for t in "$@"; do
	bin=$top_builddir/tests/fuzz/fuzz_$t
	work=$out/$t
	rm -rf "$work" && mkdir -p "$work/corpus" "$work/crashes" "$work/tmp"
	seeds "$t" "$work/seeds"
	dict=
	[ -f "$fuzz/dict/$t.dict" ] && dict=-dict=$fuzz/dict/$t.dict
	TMPDIR=$work/tmp "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=262144 -print_final_stats=1 $dict \
	    -artifact_prefix="$work/crashes/" "$work/corpus" "$work/seeds" \
	    > "$work/log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$work/log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	crashes=$(find "$work/crashes" -type f | wc -l)
	printf '%-9s %5s %10s %8s %7s %7s %6s %s\n' "$t" "$seconds" \
	    "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
	if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
		failed=$((failed + 1))
		grep -E 'ERROR|SUMMARY|Test unit written' "$work/log" | head -5 |
		    sed 's/^/#   /'
	fi
done
echo "fuzz: $# target(s), $failed with a crash, a leak or a timeout"
[ "$failed" -eq 0 ]
