#!/bin/sh
# layers.sh: check that daemon/ keeps the layering doc/ARCHITECTURE.md
# draws.  Each module (a .c and its .h) belongs to one layer of the
# "layers" block there, listed top to bottom; a module may include the
# headers of its own layer (a private X_int.h is part of X) and of the
# layers below it, never above, and
# the modules' include graph has no cycle.  A module the picture does not
# name is an error too, and so is a name the picture keeps after the
# module has gone: the picture cannot fall behind the code.
#
#   tests/layers.sh [SRCDIR]     (default: the tree this script is in)
#
# Exits 0 when the layering holds, 1 with one line per fault otherwise.
set -eu

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
doc=$top/doc/ARCHITECTURE.md
src=$top/daemon
[ -r "$doc" ] || { echo "layers.sh: cannot read $doc" >&2; exit 2; }
[ -d "$src" ] || { echo "layers.sh: no $src" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "rank layer pattern" per module pattern, from the ```layers block.
awk '/^```layers/ { on = 1; next } on && /^```/ { exit }
    on && NF { sub(":", "", $1); n++; for (i = 2; i <= NF; i++) print n, $1, $i }' \
    "$doc" >"$tmp/layers"
[ -s "$tmp/layers" ] || { echo "layers.sh: no \`\`\`layers block in $doc" >&2; exit 2; }

# "file line module dep" per quoted include of another daemon header.
for f in "$src"/*.c "$src"/*.h; do
	awk -v f="${f#$top/}" '
	    { if (match($0, /^#[ \t]*include[ \t]*"[^"]+\.h"/)) {
		h = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", h); sub(/\.h"$/, "", h)
		m = f; sub(/^.*\//, "", m); sub(/\.[ch]$/, "", m)
		sub(/_int$/, "", m); sub(/_int$/, "", h)
		if (h != m) print f, FNR, m, h } }' "$f"
done | while read -r f line m h; do
	[ -e "$src/$h.h" ] && echo "$f $line $m $h"
done >"$tmp/includes"

ls "$src" | sed -n 's/\.[ch]$//p' | sed 's/_int$//' | sort -u >"$tmp/modules"

awk '
    FILENAME == ARGV[1] { rank[++n] = $1; layer[n] = $2; pat[n] = $3; next }
    FILENAME == ARGV[2] { mods[$1] = 1; next }
    function find(m,   i, re) {
	for (i = 1; i <= n; i++) {
		re = "^" pat[i] "$"; gsub(/\*/, ".*", re)
		if (m ~ re) return i
	}
	return 0
    }
    { i = find($3); j = find($4)
      if (i && j && rank[j] < rank[i]) {
	printf "%s:%s: %s (%s) includes %s.h (%s, a layer above)\n",
	    $1, $2, $3, layer[i], $4, layer[j]; bad = 1 } }
    END {
	for (m in mods) if (!find(m)) {
		printf "daemon/%s: module %s is in no layer of doc/ARCHITECTURE.md\n", m, m
		bad = 1
	}
	for (i = 1; i <= n; i++) if (pat[i] !~ /\*/ && !(pat[i] in mods)) {
		printf "doc/ARCHITECTURE.md: %s names %s, which daemon/ does not hold\n", layer[i], pat[i]
		bad = 1
	}
	exit bad
    }' "$tmp/layers" "$tmp/modules" "$tmp/includes" || status=1

# Cycles: tsort reports a loop on stderr.
if ! awk '{ print $3, $4 }' "$tmp/includes" | tsort >/dev/null 2>"$tmp/loops"; then
	awk '/input contains a loop/ { if (c) print c; c = "include cycle:"; next }
	    { sub(/^tsort: /, ""); c = c " " $0 } END { if (c) print c }' "$tmp/loops"
	status=1
fi
exit ${status:-0}
