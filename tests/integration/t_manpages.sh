#!/bin/bash
# t_manpages.sh: the manual pages stay true to the code.  mandoc finds no
# warning in them; every recoursctl command is an entry of recoursctl(8)
# and a word of its bash completion;
# every key the configuration and rule loaders accept, and every staff
# command, is named in recoursd.conf(5) or recoursd.rules(5).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

man=$top_srcdir/daemon
if command -v mandoc >/dev/null; then
	out=$(mandoc -Tlint -Wwarning "$man"/recoursd.8 "$man"/recoursctl.8 \
	    "$man"/recoursd.conf.5 "$man"/recoursd.rules.5 2>&1)
	is "$out" "" "mandoc -Tlint finds no warning in the four pages"
else
	skip "mandoc -Tlint finds no warning in the four pages" "mandoc is not installed (contrib/dev.sh deps installs it)"
fi

# Commands, as recoursctl's own help lists them.
missing=
for c in $("$RECOURSCTL" -h | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p' | sort -u); do
	grep -q "^\.It Cm $c\b" "$man/recoursctl.8" || missing="$missing $c"
done
is "${missing:-none}" none "every recoursctl command has its entry in recoursctl.8"
n=$("$RECOURSCTL" -h | grep -c '^  [a-z]')
[ "$n" -ge 15 ]
ok $? "recoursctl -h lists the commands ($n)"
# The completion offers the same commands: those of its "commands" list.
listed=$("$RECOURSCTL" -h | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p' | sort -u)
completed=$(sed -n '/local commands="/,/"/p' "$top_srcdir/contrib/recoursctl.bash-completion" |
    sed 's/.*commands="//; s/".*//' | tr -s ' \t' '\n' | grep . | sort -u)
is "$(echo $completed)" "$(echo $listed)" "contrib/recoursctl.bash-completion offers every recoursctl command, and no other"

# Keys: the tables the loaders check every group against.
keys() {	# keys FILE: every string of its *_keys[] tables
	python3 - "$1" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
for table in re.findall(r'_keys\[\] = \{(.*?)\};', src, re.S):
    for k in re.findall(r'"([a-z_]+)"', table):
        print(k)
PY
}
for pair in conf.c:recoursd.conf.5 rules.c:recoursd.rules.5; do
	src=${pair%%:*} page=${pair#*:}
	missing=
	for k in $(keys "$man/$src" | sort -u); do
		grep -q "Ic $k\b" "$man/$page" || missing="$missing $k"
	done
	is "${missing:-none}" none "every key $src accepts is named in $page"
done

# Staff commands: the table staff_cmd.c runs them from (one row each,
# starting '{ "name",'); reading none would check nothing.
cmds=$(sed -n 's/^	{ "\([a-z-]*\)",.*/\1/p' "$man/staff_cmd.c")
n=$(echo $cmds | wc -w)
[ "$n" -ge 20 ]
ok $? "the staff command table is read ($n commands)"
missing=
for c in $cmds; do
	grep -q "#$c\b" "$man/recoursd.conf.5" || missing="$missing #$c"
done
is "${missing:-none}" none "every staff command is described in recoursd.conf.5"
done_testing
