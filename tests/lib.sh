# lib.sh: TAP helpers for the shell tests (sourced).
#   plan N; ok COND-EXIT-STATUS "description"; is GOT WANT "description";
#   like GOT REGEX "description"; skip_all "reason"; done_testing
# A failing check prints what it saw, so a red run explains itself.

tap_n=0
tap_failed=0
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build}
RECOURSD=$top_builddir/recoursd
RECOURSCTL=$top_builddir/recoursctl

plan() { echo "1..$1"; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# skip DESCRIPTION REASON: a test not run, and why.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# ok STATUS DESCRIPTION: STATUS is an exit status (0 is a pass).
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "$1" | sed 's/^/#   got: /' | head -20
		printf '#   want match: %s\n' "$2"
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# at_exit CMD: run CMD when the test exits, whatever happens, most
# recent first (a daemon is stopped before its servers).
tap_at_exit=
at_exit() {
	tap_at_exit="$1; $tap_at_exit"
	trap 'st=$?; eval "$tap_at_exit"; exit $st' EXIT
	trap 'exit 130' INT TERM
}

# A scratch directory removed on exit.  Not in $(...): the trap must be
# set in the test's own shell.
scratch() {
	tap_scratch=$(mktemp -d "${TMPDIR:-/tmp}/recoursd-test.XXXXXX")
	at_exit 'rm -rf "$tap_scratch"'
	d=$tap_scratch
}

# kill_wait PID: SIGTERM, then SIGKILL after 10 s; by PID only.
# Safe under set -e: a process already gone is not an error.
kill_wait() {
	local _kw_n=0
	kill "$1" 2>/dev/null || return 0
	while kill -0 "$1" 2>/dev/null && [ $_kw_n -lt 100 ]; do
		sleep 0.1
		_kw_n=$((_kw_n + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 50 ms.  CMD is
# run again each time: pass a function, not "test $(...)", which would be
# expanded once.
# Its locals have names of their own: bash scopes dynamically, and CMD
# sees them (a "local n" would hide the test's own $n).
wait_for() {
	local _wf_limit=$(( $1 * 20 )) _wf_n=0
	shift
	until "$@"; do
		_wf_n=$((_wf_n + 1))
		[ $_wf_n -ge $_wf_limit ] && return 1
		sleep 0.05
	done
	return 0
}

# A query on a recoursd database while the daemon may be writing.  Not
# -readonly: a read-only connection cannot always map the WAL index and
# then sees the database as it was before the WAL (or not at all).
sql() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }

# write_conf DIR [extra lines]: a minimal valid configuration in DIR.
write_conf() {
	mkdir -p "$1/templates/fr" "$1/templates/en"
	cat > "$1/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
$2
EOC
}

# The simulated clock (RECOURSD_CLOCK_FILE, recoursd(8)).  A test never
# reads the wall-clock date: it starts at a fixed instant, written as a
# local time in Europe/Paris ("2026-12-28 10:00") or as "@UNIXTIME".
#   clock_epoch WHEN    WHEN as a Unix time
#   clock_at WHEN       the clock stands still at WHEN
#   clock_run_at WHEN   the clock runs, second by second, from WHEN (for
#                       tests where retries, backoffs or timers must elapse)
#   clock_now           the simulated time now, as a Unix time
#   clock_date FORMAT [WHEN]  the simulated time (or WHEN) in Europe/Paris,
#                       as date +FORMAT (only to show or to compute relative
#                       times; expected dates are written out in the test)
# The file is replaced, never rewritten in place: the daemon must not read
# it half written (an empty file gives the real clock).  After moving the
# clock, send SIGUSR1 to a running daemon so that it looks at its timers.
clock_epoch() {
	case $1 in
	@*)	echo "${1#@}" ;;
	*)	TZ=Europe/Paris date -d "$1" +%s ;;
	esac
}

_clock_write() {
	export RECOURSD_CLOCK_FILE=${RECOURSD_CLOCK_FILE:-$d/clock}
	printf '%s\n' "$1" > "$RECOURSD_CLOCK_FILE.new" &&
	    mv -f "$RECOURSD_CLOCK_FILE.new" "$RECOURSD_CLOCK_FILE"
}

clock_at() {
	local _ck_t
	_ck_t=$(clock_epoch "$1") || return 1
	_clock_write "$_ck_t"
}

clock_run_at() {
	local _ck_t
	_ck_t=$(clock_epoch "$1") || return 1
	_clock_write "$_ck_t $(date +%s)"
}

clock_now() {
	local _ck_sim _ck_real
	read -r _ck_sim _ck_real < "$RECOURSD_CLOCK_FILE" || return 1
	if [ -n "$_ck_real" ]; then
		echo $((_ck_sim + $(date +%s) - _ck_real))
	else
		echo "$_ck_sim"
	fi
}

clock_date() {
	local _ck_t
	if [ $# -ge 2 ]; then _ck_t=$(clock_epoch "$2"); else _ck_t=$(clock_now); fi || return 1
	LC_ALL=C TZ=Europe/Paris date -d "@$_ck_t" "+$1"
}
