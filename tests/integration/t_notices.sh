#!/bin/bash
# t_notices.sh: deadlines that write to the complainant, on a simulated
# clock over real mail.  A progress notice (notice = true) goes to the
# complainant when it falls due; a deadline met by a staff command
# (met_by = "#complexe") is escalated when the command did not come; a
# staff reminder is moved into opening hours; a missed overall limit is
# justified by #justifier to the complainant and to the other party
# (#partie), and #justifier is refused while no deadline is missed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# The clock stands still at Friday 6 March 2026, 16:30 in Paris.
year=2026
export RECOURSD_CLOCK_FILE=$d/clock
clock_at "2026-03-06 16:30"
# at_due NAME: the simulated clock a minute after deadline NAME falls due.
at_due() {
	clock_at "@$(($(sql "$db" "SELECT due_at FROM timer WHERE deadline = '$1' AND kind = 'due'") + 60))"
	kill -USR1 $pid
}

mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC"; tags = ( "réclamation" );
	  notify = "staff1@example.test"; escalate_to = "manager@example.test";
	  response = "10 jours";
	  deadlines = (
	    { name = "progress"; within = "3 jours"; notice = true; },
	    { name = "complexity"; within = "5 jours"; met_by = "#complexe"; },
	    { name = "overall"; within = "10 jours"; remind_before = "2 jours"; }
	  ); }
);
EOR
testbed_conf 'calendar = { opening_hours = "09:00-18:00"; };'

# A met_by naming no staff command is an error at load time.
sed 's/met_by = "#complexe"/met_by = "#frobnicate"/' "$d/rules/00-test.conf" > "$d/bad.conf"
mkdir -p "$d/badrules"; cp "$d/bad.conf" "$d/badrules/00-test.conf"
sed "s|^rules = .*|rules = \"$d/badrules\";|" "$d/recoursd.conf" > "$d/bad-recoursd.conf"
out=$("$RECOURSD" -n -f "$d/bad-recoursd.conf" 2>&1)
like "$out" "00-test.conf:[0-9]+: .*met_by #frobnicate is not a staff command" "met_by names a staff command, or file:line"

daemon_start
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] expertise\r\nMessage-ID: <n1@example.test>\r\n\r\nBonjour.\r\n' > "$d/1.eml"
testbed_send alice@example.test client@example.test "$d/1.eml"
wait_found staff1 "Nouveau dossier" "the claim is notified"
nid=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')

# Opened on Friday 6 March: 10 days end on Monday 16 March at 24:00; the
# reminder, 2 days before, would fall on Sunday 15 March at 00:00.
remind=$(sql "$db" "SELECT due_at FROM timer WHERE kind = 'remind'")
is "$(clock_date "%F %H:%M %a" "@$remind")" "2026-03-16 09:00 Mon" \
    "the staff reminder moves from Sunday 00:00 to the next opening time"
due=$(sql "$db" "SELECT due_at FROM timer WHERE deadline = 'overall' AND kind = 'due'")
is "$(clock_date "%F %H:%M" "@$due")" "2026-03-17 00:00" "the complainant's deadline is not moved (ends at 24:00)"

reply() {	# reply ID BODY
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] dossier\r\nMessage-ID: <%s@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$year" "$1" "$nid" "$2" > "$d/$1.eml"
	testbed_send staff1@example.test client@example.test "$d/$1.eml"
}
reply r1 "#justifier trop tôt"
wait_found staff1 "Compte rendu" "an early #justifier gets a receipt"
like "$mail" "aucune échéance du dossier n'est dépassée" "saying no deadline is missed"
reply r2 "#partie bob@example.test"
wait_for 20 processed 3
is "$(sql "$db" "SELECT detail FROM event WHERE kind = 'partie'")" "bob@example.test" "#partie records the other party"

list() { "$RECOURSCTL" -f "$d/recoursd.conf" list "$@" 2>&1; }
is "$(list --due-within 30 --json | grep -c "\"ref\": \"REC-$year-0001\"")" 1 "list --due-within: the case has a deadline within 30 days"
is "$(list --overdue)" "" "list --overdue: nothing yet"
is "$(list --assignee staff2@example.test)" "" "list --assignee: not assigned to staff2"
out=$(list --due-within x); rc=$?
is "$rc" 1 "--due-within needs a number of days"
at_due progress
wait_found alice "Point d'avancement" "the progress notice reaches the complainant when due"
is "$(sql "$db" "SELECT state FROM timer WHERE deadline = 'progress'")" sent "its timer is sent"
at_due complexity
wait_found manager "Échéance dépassée : complexity" "the complexity notice not given: escalated"
at_due overall
wait_found manager "Échéance dépassée : overall" "the overall limit missed: escalated"
like "$mail" "#justifier" "the escalation says how to justify it"
like "$(list --overdue)" "^REC-$year-0001 .* !overdue" "list --overdue: the case, flagged"
if command -v script >/dev/null 2>&1; then
	esc=$(printf '\033')
	like "$(script -qec "\"$RECOURSCTL\" -f \"$d/recoursd.conf\" list --overdue" /dev/null)" \
	    "${esc}\\[31mREC-$year-0001" "on a terminal, in red"
	is "$(list --overdue | grep -c "$esc")" 0 "never in a pipe"
else
	skip "on a terminal, in red" "no script(1) to give recoursctl a terminal"
fi
reply r3 "#justifier L'expertise a demandé deux semaines de plus."
wait_found alice "Dépassement du délai" "#justifier: the complainant gets the justification"
like "$mail" "deux semaines de plus" "with its text"
like "$mail" "« overall »" "naming the deadline"
wait_found bob "Dépassement du délai" "and so does the other party"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
