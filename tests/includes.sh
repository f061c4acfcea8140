#!/bin/sh
# includes.sh: the module graph of daemon/ as its #include "..." lines
# draw it, and whether it has a cycle.
#
# A module is a file's name without its ending: staff.c and staff.h are
# the module "staff", and so is staff_int.h, the private header its files
# share (NAME_int.h belongs to NAME).  An edge "a -> b" means a file of a
# includes b.h; headers that are not in daemon/ (config.h, made by
# configure) are not modules.  Prints "module -> dep dep ..." for every
# module, sorted, then "CYCLE: ..." for each set of modules that include
# one another, directly or not; exits 1 when there is one.
#
# Usage: tests/includes.sh [daemon-dir]
set -eu

dir=${1:-$(dirname "$0")/../daemon}
[ -d "$dir" ] || { echo "includes.sh: $dir: no such directory" >&2; exit 2; }

for f in "$dir"/*.c "$dir"/*.h; do
	[ -e "$f" ] || continue
	m=$(basename "$f"); m=${m%.*}; m=${m%_int}
	echo "node $m"
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' \
	    "$f" | while read -r dep; do
		dep=$(basename "$dep")
		[ -e "$dir/$dep.h" ] || continue
		dep=${dep%_int}
		if [ "$dep" != "$m" ]; then
			echo "edge $m $dep"
		fi
	done
done | sort -u | awk '
$1 == "node" { node[$2] = 1; next }
$1 == "edge" { adj[$2] = adj[$2] " " $3; node[$3] = 1 }
# Tarjan: every strongly connected set of more than one module is a cycle.
function visit(v,	i, n, d, w) {
	index_[v] = low[v] = ++counter
	stack[++sp] = v; onstack[v] = 1
	n = split(adj[v], d, " ")
	for (i = 1; i <= n; i++) {
		w = d[i]
		if (!(w in index_)) {
			visit(w)
			if (low[w] < low[v]) low[v] = low[w]
		} else if (onstack[w] && index_[w] < low[v])
			low[v] = index_[w]
	}
	if (low[v] == index_[v]) {
		scc = ""; size = 0
		do {
			w = stack[sp--]; onstack[w] = 0
			scc = w (size++ ? " " : "") scc
		} while (w != v)
		if (size > 1)
			cycles[++ncycles] = scc
	}
}
END {
	for (v in node)
		names[++nn] = v
	# Sorted output, whatever the awk: a plain insertion sort.
	for (i = 2; i <= nn; i++)
		for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
			t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
		}
	for (i = 1; i <= nn; i++) {
		v = names[i]
		printf "%s ->%s\n", v, adj[v]
	}
	for (i = 1; i <= nn; i++)
		if (!(names[i] in index_))
			visit(names[i])
	for (i = 1; i <= ncycles; i++)
		printf "CYCLE: %s\n", cycles[i]
	if (ncycles > 0) {
		fflush()
		printf "includes.sh: %d include cycle(s) among the modules\n", \
		    ncycles > "/dev/stderr"
		exit 1
	}
}'
