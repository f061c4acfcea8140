#!/bin/bash
# timers.sh: the timer engine's cost at 1 000, 10 000 and 100 000 open
# cases (make bench); see timers.c.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build}
. "$top_srcdir/tests/lib.sh"
scratch
write_conf "$d" ""
cd "$d"
"$top_builddir/tests/bench/timers" "$d/recoursd.conf"
