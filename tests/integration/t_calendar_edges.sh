#!/bin/bash
# t_calendar_edges.sh: cases opened at the calendar's edges, on a simulated
# clock standing still at fixed instants, over real mail: the Saturday
# before the March change to summer time and the Friday before the October
# change back, the Sunday before a public holiday (11 November) and the
# day before another (14 July), 28 December (the deadline runs into the
# next year, skipping 1 January) and the first cases of the new year,
# numbered from 0001.  For each: the reference, each timer's due time in
# Europe/Paris and the date the acknowledgement promises.  Every expected
# date below was counted by hand on a calendar, not by recoursd:
#   2026: summer time from Sunday 29 March, winter time from Sunday
#         25 October; Wednesday 11 November (Armistice).
#   2027: Friday 1 January (Jour de l'an); Wednesday 14 July.
# Deadlines: 48 heures (exact elapsed time: the local hour shifts across a
# change), 3 jours (calendar days; the last one moves off a holiday or a
# weekend) and 5 jours ouvrés (Monday to Friday, holidays skipped), each
# ending at 24:00 of its last day, shown as 00:00 of the next.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
export RECOURSD_CLOCK_FILE=$d/clock
# The daemon runs in UTC, as servers often do: a date it writes must come
# from the calendar's zone (Europe/Paris), not from the process's.
export TZ=UTC
clock_at "2026-03-28 10:00"

mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC"; tags = ( "réclamation" );
	  priority = 10; response = "5 jours ouvrés";
	  deadlines = (
	    { name = "ack"; within = "48 heures"; },
	    { name = "days"; within = "3 jours"; },
	    { name = "response"; within = "5 jours ouvrés"; }
	  ); },
	{ name = "appeal"; label = { fr = "appel"; }; prefix = "APP"; tags = ( "appel" );
	  priority = 20; response = "5 jours ouvrés";
	  deadlines = ( { name = "response"; within = "5 jours ouvrés"; } ); }
);
EOR
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "rules";
templates = "$top_srcdir/templates";
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "client"; password = "$TESTBED_PASS"; } );
EOC
daemon_start

# open_case WHEN SUBJECT: the clock at WHEN (Europe/Paris), then a mail from
# alice; once it is processed, the newest case's reference in $ref.
n=0
open_case() {
	clock_at "$1"
	n=$((n + 1))
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: %s\r\nMessage-ID: <edge%d@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour.\r\n' \
	    "$2" $n > "$d/e$n.eml"
	testbed_send alice@example.test client@example.test "$d/e$n.eml"
	wait_for 20 processed $n
	ref=$(sql "$db" "SELECT ref FROM cases ORDER BY id DESC LIMIT 1")
}
# due DEADLINE: when that timer of $ref falls due, in Paris, with the zone.
due() {
	clock_date "%a %F %H:%M %Z" "@$(sql "$db" "SELECT t.due_at FROM timer t JOIN cases c ON c.id = t.case_id WHERE c.ref = '$ref' AND t.deadline = '$1' AND t.kind = 'due'")"
}
# acked WHAT: the acknowledgement of $ref reaches alice; decoded in $mail.
acked() { wait_found alice "^\[$ref\] Accusé de réception" "$ref: $1"; }

# --- The Saturday before summer time (Sunday 29 March 2026, 02:00 -> 03:00).
open_case "2026-03-28 10:00" "[Réclamation] samedi avant l'heure d'été"
is "$ref" REC-2026-0001 "Saturday 28 March 2026: REC-2026-0001"
is "$(due ack)" "Mon 2026-03-30 11:00 CEST" "48 heures from 10:00 CET end at 11:00 CEST (an hour was skipped)"
is "$(due days)" "Wed 2026-04-01 00:00 CEST" "3 jours: 29, 30, 31 March, ending at 24:00 summer time"
is "$(due response)" "Sat 2026-04-04 00:00 CEST" "5 jours ouvrés: Monday 30 March to Friday 3 April"
acked "acknowledged"
like "$mail" "au plus tard le vendredi 3 avril 2026\." "the acknowledgement promises Friday 3 April"
like "$mail" "^Date: Sat, 28 Mar 2026 (10:00:00 \+0100|09:00:00 \+0000)$" "and is dated by the simulated clock"

# --- The Friday before winter time (Sunday 25 October 2026, 03:00 -> 02:00).
open_case "2026-10-23 16:00" "[Réclamation] vendredi avant l'heure d'hiver"
is "$ref" REC-2026-0002 "Friday 23 October 2026: REC-2026-0002"
is "$(due ack)" "Sun 2026-10-25 15:00 CET" "48 heures from 16:00 CEST end at 15:00 CET (an hour came twice)"
is "$(due days)" "Tue 2026-10-27 00:00 CET" "3 jours: 24, 25, 26 October, ending at 24:00 winter time"
is "$(due response)" "Sat 2026-10-31 00:00 CET" "5 jours ouvrés: Monday 26 to Friday 30 October"
acked "acknowledged"
like "$mail" "au plus tard le vendredi 30 octobre 2026\." "the acknowledgement promises Friday 30 October"

# --- The Sunday before a public holiday (Wednesday 11 November 2026).
open_case "2026-11-08 18:00" "[Réclamation] avant le 11 novembre"
is "$ref" REC-2026-0003 "Sunday 8 November 2026: REC-2026-0003"
is "$(due ack)" "Tue 2026-11-10 18:00 CET" "48 heures end on Tuesday 10 November"
is "$(due days)" "Fri 2026-11-13 00:00 CET" "3 jours end on 11 November, a holiday: moved to Thursday 12"
is "$(due response)" "Tue 2026-11-17 00:00 CET" "5 jours ouvrés skip 11 November: 9, 10, 12, 13 and 16 November"
acked "acknowledged"
like "$mail" "au plus tard le lundi 16 novembre 2026\." "the acknowledgement promises Monday 16 November"

# --- 28 December: the deadline crosses the year end, skipping 1 January.
open_case "2026-12-28 10:00" "[Réclamation] fin d'année"
is "$ref" REC-2026-0004 "Monday 28 December 2026: a reference of 2026"
is "$(due ack)" "Wed 2026-12-30 10:00 CET" "48 heures end on Wednesday 30 December"
is "$(due days)" "Fri 2027-01-01 00:00 CET" "3 jours: 29, 30, 31 December, ending at 24:00 on the 31st"
is "$(due response)" "Wed 2027-01-06 00:00 CET" "5 jours ouvrés: 29, 30, 31 December, 4 and 5 January (1 January skipped)"
acked "acknowledged"
like "$mail" "au plus tard le mardi 5 janvier 2027\." "the acknowledgement promises Tuesday 5 January 2027"

# --- Half past midnight on 1 January in Paris (still 31 December in UTC):
# a case of the new year.
open_case "2027-01-01 00:30" "[Appel] décision du comité"
is "$ref" APP-2027-0001 "1 January 2027, 00:30 in Paris: APP-2027-0001"
is "$(sql "$db" "SELECT type FROM cases WHERE ref = '$ref'")" appeal "it is an appeal"
is "$(due response)" "Sat 2027-01-09 00:00 CET" "5 jours ouvrés from a holiday: 4 to 8 January"
acked "acknowledged"
like "$mail" "au plus tard le vendredi 8 janvier 2027\." "the acknowledgement promises Friday 8 January"

# --- The first claim of 2027: numbered from 0001 again.
open_case "2027-01-04 09:00" "[Réclamation] nouvelle année"
is "$ref" REC-2027-0001 "Monday 4 January 2027: the new year's claims start at REC-2027-0001"
is "$(sql "$db" "SELECT year || ' ' || seq FROM cases WHERE ref = '$ref'")" "2027 1" "the database says year 2027, number 1"
is "$(sql "$db" "SELECT group_concat(ref, ' ') FROM (SELECT ref FROM cases WHERE prefix = 'REC' ORDER BY id)")" \
    "REC-2026-0001 REC-2026-0002 REC-2026-0003 REC-2026-0004 REC-2027-0001" "each year numbers its claims from 1"
is "$(sql "$db" "SELECT group_concat(year || ':' || last, ' ') FROM (SELECT year, last FROM case_seq WHERE prefix = 'REC' ORDER BY year)")" \
    "2026:4 2027:1" "one counter per year"
is "$(due response)" "Tue 2027-01-12 00:00 CET" "5 jours ouvrés: 5 to 11 January"
acked "acknowledged"
like "$mail" "au plus tard le lundi 11 janvier 2027\." "the acknowledgement promises Monday 11 January"

# The 28 December case's response deadline falls due in the new year.
clock_at "2027-01-06 00:01"
kill -USR1 $pid
missed() { sql "$db" "SELECT e.detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-2026-0004' AND e.kind = 'deadline-missed'" | grep -q "^response: MISSED (due 2027-01-06 00:00)"; }
wait_for 20 missed
ok $? "REC-2026-0004's response deadline fires on 6 January 2027 at 00:00, Paris time"

# --- The day before a public holiday (Wednesday 14 July 2027).
open_case "2027-07-13 10:00" "[Réclamation] avant le 14 juillet"
is "$ref" REC-2027-0002 "Tuesday 13 July 2027: REC-2027-0002"
is "$(due ack)" "Thu 2027-07-15 10:00 CEST" "48 heures end on Thursday 15 July"
is "$(due days)" "Sat 2027-07-17 00:00 CEST" "3 jours: 14, 15, 16 July (a holiday counts as a calendar day)"
is "$(due response)" "Thu 2027-07-22 00:00 CEST" "5 jours ouvrés skip 14 July: 15, 16, 19, 20 and 21 July"
acked "acknowledged"
like "$mail" "au plus tard le mercredi 21 juillet 2027\." "the acknowledgement promises Wednesday 21 July"

like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year 2026 2>&1)" "^2026,3,claim,1," \
    "stats put the March claim in March 2026"
like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year 2026 2>&1)" "^2026,12,claim,1," \
    "and the 28 December claim in December 2026"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
