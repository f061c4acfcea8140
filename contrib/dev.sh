#!/bin/sh
# dev.sh: set up a Debian 12 machine for recoursd and run it.
#
#   contrib/dev.sh demo   install, build, start a sandboxed IMAP+SMTP, and
#                         show recoursd ingesting a sample complaint
#   contrib/dev.sh test   install, build (-Werror), run the whole test suite,
#                         then the unit tests, four integration tests and
#                         the fault tests again under ASan+UBSan (a leak
#                         report fails), then each fuzz target for $FUZZ_SECONDS (30; a
#                         crash fails); ends with "N passed, N failed"
#   contrib/dev.sh deps   only install the Debian packages
#
# Run as root (apt-get), from anywhere.  Builds in _build/ and _build-asan/
# inside the source tree; nothing is installed system-wide but packages.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

packages="build-essential autoconf automake libtool pkg-config
	libetpan-dev libgmime-3.0-dev libsqlite3-dev libconfig-dev
	libsystemd-dev libgnutls28-dev libytnef0-dev libpango1.0-dev
	libcairo2-dev fonts-dejavu-core libsasl2-modules sqlite3
	dovecot-imapd dovecot-lmtpd postfix openssl python3 procps mandoc
	publicsuffix chromium clang libclang-rt-14-dev poppler-utils"
# publicsuffix: DMARC alignment of staff mail; chromium: the dashboard test
# renders the page in a real browser; clang: the fuzz targets (libFuzzer);
# fonts-dejavu-core: the font of letters on paper; poppler-utils: the
# paper test reads the PDFs back (pdftotext, pdftoppm, pdfinfo).

deps() {
	missing=
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "dev.sh: missing packages:$missing; run as root" >&2
		exit 1
	fi
	# Postfix must not configure or start a system instance: the tests
	# run their own, on loopback high ports.
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

# build DIR [configure options...]
build() {
	dir=$1
	shift
	[ -x configure ] || autoreconf -fi >/dev/null 2>&1
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } &&
	    make -s -j"$(nproc)" >/dev/null)
}

# Sum the automake test logs of a build tree into passed/failed counts.
count() {
	awk '/^# (PASS|XFAIL|SKIP):/ { p += $3 } /^# (FAIL|XPASS|ERROR):/ { f += $3 }
	    END { printf "%d %d\n", p, f }' "$1/test-suite.log.summary"
}

run_check() {
	dir=$1
	shift
	status=0
	# Each integration test starts its own test bed on free ports: they
	# run side by side.
	(cd "$dir" && make -s -j"$(nproc)" check "$@") || status=1
	# automake prints the per-suite summary; keep it for count().
	grep -hE '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' \
	    "$dir/test-suite.log" > "$dir/test-suite.log.summary" 2>/dev/null || true
	return $status
}

cmd=${1:-}
case "$cmd" in
deps)
	deps
	;;
demo)
	deps
	build _build
	exec "$top/contrib/demo.sh" "$top/_build"
	;;
test)
	deps
	build _build --enable-werror
	rc=0
	run_check _build || rc=1
	build _build-asan --enable-werror --enable-sanitizers
	# The sanitizer pass: the unit tests, the integration tests that run
	# the daemon and recoursctl through a whole life (fetch, cases, staff,
	# letters, timers, purge), and the fault tests (bad input, failing
	# timers, a full disk, a held lock, broken connections, kill -9), and
	# the letters on paper (Pango, Cairo and fontconfig).
	# A leak in a process the tests do not read the exit status of (the
	# daemon) only shows in its report: the reports go to files, and any
	# report is a failure.
	sanitized='$(unit_tests) tests/integration/t_ingest.sh
	    tests/integration/t_staff.sh tests/integration/t_purge.sh
	    tests/integration/t_scenarios.sh tests/integration/t_isolation.sh
	    tests/integration/t_timer_faults.sh tests/integration/t_faults.sh
	    tests/integration/t_netfaults.sh tests/integration/t_crash_send.sh
	    tests/integration/t_paper.sh'
	# The libraries' own leaks are suppressed, each said why in lsan.supp.
	rm -rf _build-asan/sanitizer && mkdir -p _build-asan/sanitizer
	ASAN_OPTIONS=detect_leaks=1:log_path=$top/_build-asan/sanitizer/asan \
	    LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp \
	    run_check _build-asan TESTS="$(echo $sanitized)" || rc=1
	reports=$(grep -l 'ERROR: [A-Za-z]*Sanitizer' _build-asan/sanitizer/* \
	    2>/dev/null | wc -l)
	if [ "$reports" -gt 0 ]; then
		cat _build-asan/sanitizer/*
		rc=1
	fi
	# Each fuzz target for a short while: a crash, a leak or a hang
	# counts as a failure (its input is left in _build-fuzz/fuzz-out/).
	fuzzed=0 fuzz_failed=0
	if command -v clang >/dev/null 2>&1; then
		fuzz_out=$( (export CC=clang; build _build-fuzz --enable-fuzzing &&
		    cd _build-fuzz && FUZZ_SECONDS=${FUZZ_SECONDS:-30} \
		    make -s fuzz) 2>&1) || true	# counted below, not ignored
		# make fuzz fails on a crash, and so may the build: either
		# way the summary line says how many failed, and its absence
		# counts as one failure.
		echo "$fuzz_out"
		fuzzed=$(echo "$fuzz_out" | sed -n 's/^fuzz: \([0-9]*\) target.*/\1/p')
		fuzz_failed=$(echo "$fuzz_out" | sed -n 's/^fuzz: .*, \([0-9]*\) with a crash.*/\1/p')
		[ -n "$fuzzed" ] || { fuzzed=0; fuzz_failed=1; }
		[ "$fuzz_failed" -eq 0 ] || rc=1
	else
		echo "fuzz: clang is not installed: the fuzz targets were not run"
	fi
	set -- $(count _build) $(count _build-asan)
	echo "suite _build: $1 passed, $2 failed; _build-asan: $3 passed, $4" \
	    "failed, $reports sanitizer report(s); fuzz: $fuzzed target(s)," \
	    "$fuzz_failed failed"
	[ "$rc" -eq 0 ] || { cat _build/test-suite.log _build-asan/test-suite.log |
	    grep -E '^(FAIL|ERROR):' || true; }
	echo "$(($1 + $3 + fuzzed - fuzz_failed)) passed," \
	    "$(($2 + $4 + reports + fuzz_failed)) failed"
	exit $rc
	;;
*)
	echo "usage: contrib/dev.sh demo | test | deps" >&2
	exit 2
	;;
esac
