#!/bin/bash
# t_deadlines.sh: the timer engine on a simulated clock (RECOURSD_CLOCK_FILE
# + SIGUSR1), over real mail: the acknowledgement deadline met, a staff
# reminder before the response deadline, the missed deadline escalated to
# the manager by mail, each outcome an event; a deadline that fell due
# while the daemon was stopped fires once after restart, marked late, and
# never twice.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# The clock stands still at Monday 2 March 2026, 09:00 in Paris; at H
# moves it to H hours later.
export RECOURSD_CLOCK_FILE=$d/clock
t0=$(clock_epoch "2026-03-02 09:00")
year=2026
clock_at "@$t0"
at() { clock_at "@$((t0 + $1 * 3600))"; kill -USR1 $pid; }

mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC"; tags = ( "réclamation" );
	  notify = "staff1@example.test"; escalate_to = "manager@example.test";
	  response = "72 heures";
	  deadlines = (
	    { name = "ack"; within = "24 heures"; },
	    { name = "response"; within = "72 heures"; remind_before = "24 heures"; }
	  ); }
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
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] délai\r\nMessage-ID: <dl1@example.test>\r\n\r\nBonjour.\r\n' > "$d/1.eml"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" rules test "$d/1.eml" 2>&1)
like "$out" "deadline: response +due .* \(met by decided\)" "rules test prints the deadlines it would schedule"

daemon_start
testbed_send alice@example.test client@example.test "$d/1.eml"
wait_for 20 testbed_mailbox_has alice 1
ok $? "the claim is acknowledged"
ev() { sql "$db" "SELECT count(*) FROM event WHERE kind LIKE '$1%' AND detail LIKE '$2%'"; }
has_ev() { [ "$(ev "$1" "$2")" -ge 1 ]; }

at 25
wait_for 10 has_ev deadline-met "ack: met"
ok $? "at +25 h the acknowledgement deadline is met (it was sent at once)"
is "$(testbed_mail_count staff1)" 0 "no reminder yet"
at 49
wait_for 20 testbed_mailbox_has staff1 1
ok $? "at +49 h staff are reminded, 24 h before the response deadline"
like "$(testbed_imap_fetch staff1 1 | tr -d '\r')" "Subject: .*Rappel" "the reminder says so"
at 73
wait_for 20 testbed_mailbox_has manager 1
ok $? "at +73 h the missed response deadline is escalated to the manager"
like "$(testbed_imap_fetch manager 1 | tr -d '\r')" "Subject: .*=\?(utf|UTF)-8\?" "the escalation is mailed (RFC 2047 subject)"
has_ev deadline-missed "response: MISSED"
ok $? "the miss is an event"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" show "REC-$year-0001" 2>&1)
like "$out" "deadline: +ack +due .* met" "recoursctl show: each deadline with its outcome (ack met)"
like "$out" "deadline: +response +due .* missed" "(response missed)"
like "$out" "reminder: +response .* sent" "(the reminder sent)"

like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats 2>&1)" ",claim,1,0,0,0,0,0,1,1,50.0," \
    "recoursctl stats: 1 deadline met and 1 missed, 50 %"

# Downtime: a second case's ack deadline falls due while stopped.
kill_wait $pid
sql "$db" "UPDATE outbox SET state = 'failed' WHERE kind = 'ack' AND state = 'pending'"
printf 'From: Bob <bob@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] deux\r\nMessage-ID: <dl2@example.test>\r\n\r\nBonjour.\r\n' > "$d/2.eml"
"$RECOURSCTL" -f "$d/recoursd.conf" inject "$d/2.eml" --mailbox client >/dev/null
clock_at "@$((t0 + 100 * 3600))"
daemon_start
two_cases() { [ "$(sql "$db" "SELECT count(*) FROM cases")" = 2 ]; }
wait_for 20 two_cases
ok $? "a second case opened at +100 h"
clock_at "@$((t0 + 200 * 3600))"
kill_wait $pid
daemon_start
case2() { sql "$db" "SELECT e.detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0002' AND e.kind LIKE 'deadline-%' AND e.detail LIKE 'ack:%'"; }
late() { case2 | grep -q "checked late"; }
wait_for 20 late
ok $? "after downtime the overdue deadline fires once, marked late"
case2 | sed 's/^/# /'
kill_wait $pid
"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
sleep 2
is "$(sql "$db" "SELECT count(*) FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0002' AND e.kind LIKE 'deadline-%' AND e.detail LIKE 'ack:%'")" 1 \
    "and a restart does not fire it twice"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
