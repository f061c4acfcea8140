#!/bin/bash
# t_layers.sh: daemon/ keeps the layering doc/ARCHITECTURE.md draws
# (tests/layers.sh), and the checker fails when it should: on an include
# of a layer above, on an include cycle, on a module the picture does not
# name and on a name the picture keeps for a module that is gone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

scratch
check=$top_srcdir/tests/layers.sh

out=$(sh "$check" "$top_srcdir" 2>&1); rc=$?
is "$rc" 0 "daemon/ keeps the layering of doc/ARCHITECTURE.md"
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/#   /'

# copy: a fresh copy of the two folders the checker reads.
copy() {
	rm -rf "$d/tree"
	mkdir -p "$d/tree"
	cp -r "$top_srcdir/daemon" "$top_srcdir/doc" "$d/tree/"
}

copy
sed -i '1i #include "case.h"' "$d/tree/daemon/store.c"
out=$(sh "$check" "$d/tree" 2>&1); rc=$?
is "$rc" 1 "the store including case.h fails"
like "$out" "daemon/store.c:1: store \(store\) includes case.h \(decide, a layer above\)" "naming file:line and both layers"

copy
sed -i '1i #include "classify.h"' "$d/tree/daemon/rules.c"
out=$(sh "$check" "$d/tree" 2>&1); rc=$?
is "$rc" 1 "two modules of one layer including each other fail"
like "$out" "include cycle: .*(classify rules|rules classify)" "naming the cycle"

copy
printf '#include "store.h"\n' > "$d/tree/daemon/newthing.c"
out=$(sh "$check" "$d/tree" 2>&1); rc=$?
is "$rc" 1 "a module in no layer fails"
like "$out" "daemon/newthing: module newthing is in no layer" "saying so"

copy
rm "$d/tree/daemon/dashboard.c" "$d/tree/daemon/dashboard.h"
sed -i '/#include "dashboard.h"/d' "$d/tree/daemon/"*.c
out=$(sh "$check" "$d/tree" 2>&1); rc=$?
is "$rc" 1 "a picture naming a module that is gone fails"
like "$out" "reports names dashboard, which daemon/ does not hold" "saying which"
done_testing
