#!/bin/bash
# t_timer_faults.sh: timers fail alone.  On a simulated clock fixed at
# Monday 9 March 2026, 10:00 in Paris, three claims are opened: one whose
# Reply-To is no address (its progress notice cannot be written), one
# ordinary, and one whose timer cannot fire (a fault injected with a
# SQLite trigger).  When their progress notices fall due, the ordinary one
# goes out on time, the unwritable letter is failed with its reason and
# staff told, the failing timer is retried with backoff without the main
# loop spinning, and after its last try it is failed and staff told.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
export RECOURSD_CLOCK_FILE=$d/clock
t0=$(TZ=Europe/Paris date -d '2026-03-09 10:00' +%s)
echo "$t0" > "$RECOURSD_CLOCK_FILE"
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10;
	  deadlines = ( { name = "progress"; within = "2 jours"; notice = true; } ); }
);
EOR
testbed_conf 'alerts = { admin = "staff1@example.test"; };'
daemon_start

claim() {	# claim N FROM [REPLY-TO]
	printf 'From: %s\r\n%bTo: client@example.test\r\nSubject: [Réclamation] dossier %d\r\nMessage-ID: <tf%d@example.test>\r\n\r\nBonjour.\r\n' \
	    "$2" "${3:+Reply-To: $3\r\n}" "$1" "$1" > "$d/c$1.eml"
}
claim 1 "Bob <bob@example.test>" foo
claim 2 "Alice <alice@example.test>"
claim 3 "Alice <alice@example.test>"
testbed_imap_append client "$d/c1.eml" "$d/c2.eml" "$d/c3.eml"
wait_for 20 processed 3
ok $? "three claims are opened"
ref() { sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%dossier $1'"; }
id3=$(sql "$db" "SELECT id FROM cases WHERE subject LIKE '%dossier 3'")
is "$(ref 2)" "REC-2026-0002" "references come from the simulated clock's year"
is "$(sql "$db" "SELECT due_at FROM timer t JOIN cases c ON c.id = t.case_id WHERE c.ref = '$(ref 2)'")" \
    "$(TZ=Europe/Paris date -d '2026-03-12 00:00' +%s)" "the progress notice falls due two days later, at the end of Wednesday"
sql "$db" "CREATE TRIGGER timer_fault BEFORE INSERT ON event WHEN NEW.case_id = $id3 AND NEW.kind <> 'timer-failed' BEGIN SELECT RAISE(ABORT, 'injected timer fault'); END"

cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
now=$(($(TZ=Europe/Paris date -d '2026-03-12 00:00' +%s) + 60))
echo $now > "$RECOURSD_CLOCK_FILE"
kill -USR1 $pid
wait_found alice "REC-2026-0002.*avancement" "the ordinary claim's progress notice goes out on time"
timer() { sql "$db" "SELECT state || ' ' || attempts FROM timer WHERE case_id = $1"; }
is "$(timer "$(sql "$db" "SELECT id FROM cases WHERE ref = '$(ref 1)'")")" "sent 0" \
    "the timer whose letter cannot be written fires all the same"
has_undelivered() { [ -n "$(sql "$db" "SELECT 1 FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$(ref 1)' AND e.kind = 'undelivered'")" ]; }
wait_for 20 has_undelivered
ok $? "its letter is failed and its case records it"
like "$(sql "$db" "SELECT detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$(ref 1)' AND e.kind = 'undelivered'")" \
    "avis-avancement to foo was not delivered: it could not be written" "with the reason"
wait_found staff1 "Non distribué : avis-avancement à foo" "staff are told"
retried() { [ "$(timer $id3)" = "pending 1" ]; }
wait_for 10 retried
ok $? "the failing timer stays pending, one attempt counted"
retry_at=$(sql "$db" "SELECT retry_at - $now FROM timer WHERE case_id = $id3")
is "$retry_at" 60 "it is retried a minute later"
like "$(sql "$db" "SELECT reason FROM timer WHERE case_id = $id3")" "injected timer fault" "with the reason kept"
c0=$(cpu)
sleep 3
c1=$(cpu)
[ $((c1 - c0)) -lt 100 ]
ok $? "the main loop does not spin meanwhile ($((c1 - c0)) ticks of CPU in 3 s)"

# Each try later than the last, until the last one.
for try in 2 3 4 5 6; do
	now=$((now + 3600))
	echo $now > "$RECOURSD_CLOCK_FILE"
	kill -USR1 $pid
	tried() { [ "$(sql "$db" "SELECT attempts FROM timer WHERE case_id = $id3")" -ge $try ]; }
	wait_for 10 tried || break
done
is "$(timer $id3)" "failed 6" "after six tries the timer is failed"
wait_found staff1 "Échéance non traitée" "and staff are told"
like "$mail" "$(ref 3)" "naming the case"
like "$(sql "$db" "SELECT detail FROM event WHERE case_id = $id3 AND kind = 'timer-failed'")" \
    "progress: the due timer could not fire after 6 attempt\(s\): .*injected timer fault" "its case records it"
kill -0 $pid
ok $? "the daemon runs on"

done_testing
