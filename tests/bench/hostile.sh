#!/bin/bash
# hostile.sh: parsing time of hostile messages at 64 KiB and 4 MiB (make
# bench; needs no server); see hostile.c.  HOSTILE_KIB sets the large
# size.  Fails when an input is over the goal.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build}
. "$top_srcdir/tests/lib.sh"
scratch
"$top_builddir/tests/bench/hostile" "$top_srcdir/rules" "$d/attachments" \
    "${HOSTILE_KIB:-4096}"
