#!/bin/bash
# t_approval.sh: impartial decisions, corrective actions and the date of
# a contested decision, by email over real mail.  With approver_roles, a
# #decision is only proposed: the assignee, its author, someone named with
# #implique or a member of another role cannot approve it, and nothing
# reaches the complainant until an uninvolved approver answers
# #approuver.  #action-corrective (with a due date), #efficacite (only
# after an action) and #notification-decision (the case is out of time or
# not) are recorded; malformed ones change nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC"; tags = ( "réclamation" );
	  notify = "staff1@example.test"; approver_roles = ( "quality" );
	  admissibility = { within = "5 jours ouvrés"; };
	  objectives = { max_per_month = 0; deadlines_met = 90; }; }
);
EOR
testbed_conf
daemon_start
# last_receipt: the receipt of the last reply (each reply gets one).
more_mail() { [ "$(testbed_mail_count staff1)" -gt "$s1" ]; }	# + the notification
last_receipt() {
	wait_for 20 more_mail
	testbed_imap_fetch staff1 "$(testbed_mail_count staff1)" > "$d/r.eml"
	testbed_decode "$d/r.eml"
}
state() { sql "$db" "SELECT state FROM cases"; }
n=0 s1=0
reply() {	# reply FROM IN-REPLY-TO BODY
	n=$((n + 1))
	[ "$1" = staff1@example.test ] && s1=$((s1 + 1))
	printf 'From: %s\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] dossier\r\nMessage-ID: <ap%d@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$1" "$year" $n "$2" "$3" > "$d/ap$n.eml"
	testbed_send "$1" client@example.test "$d/ap$n.eml"
}

printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] facture\r\nMessage-ID: <ap0@example.test>\r\n\r\nMa facture est fausse.\r\n' > "$d/0.eml"
testbed_send alice@example.test client@example.test "$d/0.eml"
wait_found staff1 "Nouveau dossier" "the case is notified"
nid=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')

reply staff1@example.test "$nid" "#assigner staff2@example.test
#decision Un avoir de 20 euros vous est accordé."
wait_for 20 processed 2
is "$(state)" received "#decision on a type with approvers only proposes"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'decision-proposed'")" 1 "the proposal is an event"
wait_found staff2 "Dossier qui vous est attribué" "the assignee is sent the case"
sleep 2
testbed_imap_find staff2 "Décision à approuver" >/dev/null
is $? 1 "but is not asked to approve"
is "$(testbed_mail_count alice)" 1 "nothing reaches the complainant (only the acknowledgement)"

reply staff1@example.test "$nid" "#assigner staff1@example.test
#decision Un avoir de 30 euros vous est accordé."
wait_found staff2 "Décision à approuver" "an uninvolved approver is asked"
like "$mail" "30 euros" "with the proposal"
aid=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')

reply staff1@example.test "$nid" "#approuver"
wait_for 20 processed 4
is "$(state)" received "the author cannot approve"
like "$(last_receipt)" "ne peut pas approuver" "and is told why"

reply staff1@example.test "$nid" "#assigner staff2@example.test"
wait_for 20 processed 5
reply staff2@example.test "$aid" "#approuver"
wait_for 20 processed 6
is "$(state)" received "the assignee cannot approve"
reply staff1@example.test "$nid" "#assigner staff1@example.test"
wait_for 20 processed 7
reply staff2@example.test "$aid" "#approuver"
wait_found alice "Décision concernant votre réclamation" "an uninvolved approver's #approuver sends the decision"
like "$mail" "30 euros" "the decision proposed last"
is "$(state)" decided "the case is decided"
like "$(sql "$db" "SELECT actor || ' ' || detail FROM event WHERE kind = 'approuver'")" \
    "staff <staff2@example.test> staff1@example.test" "the approval names approver and author"

reply staff1@example.test "$nid" "#efficacite formation faite"
wait_for 20 processed 9
like "$(last_receipt)" "aucune action corrective" "#efficacite before any action is refused"
reply staff1@example.test "$nid" "#action-corrective Former l'équipe facturation échéance 31/13/2026"
wait_for 20 processed 10
like "$(last_receipt)" "JJ/MM/AAAA" "a malformed due date is refused"
reply staff1@example.test "$nid" "#action-corrective Former l'équipe facturation échéance 15/01/2027
#action-soldee Formation faite le 10/01/2027
#efficacite Vérifiée à l'audit interne"
wait_for 20 processed 11
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind IN ('action-corrective', 'action-soldee', 'efficacite')")" 3 \
    "an action, its closing and its efficacy check are recorded"
reply staff1@example.test "$nid" "#notification-decision 2026-01-01"
wait_for 20 processed 12
like "$(last_receipt)" "JJ/MM/AAAA" "#notification-decision with a bad date is refused"
reply staff1@example.test "$nid" "#notification-decision 01/01/2026"
wait_for 20 processed 13
is "$(sql "$db" "SELECT out_of_time FROM cases")" 1 "a decision notified long ago: the case is out of time"
like "$(last_receipt)" "HORS DÉLAI" "and staff are told"
like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats 2>&1)" ",1,1,1,0,90,no$" "stats count the corrective action opened, closed and checked, against the objectives"
like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --profile "$top_srcdir/contrib/profiles/cesi" 2>&1)" ",1,1,1,,,$" \
    "stats --profile: the objectives of that profile (CESI has none for claims)"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" stats --profile nosuch 2>&1); rc=$?
is "$rc" 1 "an unknown profile is an error"
like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --json 2>&1)" '"received": 1,.*"corrective_actions": 1, "corrective_closed": 1, "efficacy_checks": 1, "objective_max_per_month": 0.0, "objective_deadlines_met": 90.0, "objectives_met": false}' "and as JSON"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
