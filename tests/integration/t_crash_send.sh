#!/bin/bash
# t_crash_send.sh: kill -9 recoursd at random moments while it opens
# cases, composes their acknowledgements and sends them, restart, ten
# times.  Then every letter was sent at most once (no Message-ID twice in
# the complainant's mailbox) and none is lost: each is sent, or failed as
# in doubt when the kill came while the mail server had it, and the
# outbox says which.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
N=${CRASH_SEND_MESSAGES:-60}
ROUNDS=${CRASH_SEND_ROUNDS:-10}
db=$d/state/recoursd.db
mkdir -p "$d/gen"
testbed_claim_rules
testbed_conf 'limits = { acks_per_hour = 1000; };'
for i in $(seq "$N"); do
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] envoi %d\r\nMessage-ID: <cs%d@example.test>\r\n\r\nBonjour, réclamation %d.\r\n' \
	    "$i" "$i" "$i" > "$d/gen/$(printf %03d "$i").eml"
done
per_round=$(( (N + ROUNDS - 1) / ROUNDS ))

set -- "$d"/gen/*.eml
round=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
	pid=$!
	wave=("${@:1:$per_round}")
	shift $(( $# < per_round ? $# : per_round ))
	testbed_imap_append client "${wave[@]}"
	# 0.1 to 1.5 s after delivery: processing, composing or sending.
	sleep "$(awk -v s="$round$$" 'BEGIN { srand(s); printf "%.3f", 0.1 + rand() * 1.4 }')"
	kill -9 $pid
	wait $pid 2>/dev/null
	echo "# round $round: killed; outbox $(sql "$db" "SELECT group_concat(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
done
"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
settled() {
	[ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'processed'")" -eq "$N" ] &&
	[ "$(sql "$db" "SELECT count(*) FROM outbox WHERE state IN ('intent', 'pending', 'sending')")" -eq 0 ]
}
wait_for 60 settled
ok $? "after $ROUNDS kill -9 rounds, every claim is processed and no letter waits"
is "$(sql "$db" "SELECT count(*) FROM cases")" "$N" "each claim opened one case"
is "$(sql "$db" "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM outbox o WHERE o.case_id = c.id AND o.kind = 'ack') <> 1")" 0 \
    "each case has one acknowledgement, never queued twice"
sent=$(sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'")
doubt=$(sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'failed' AND reply LIKE 'in doubt%'")
is "$((sent + doubt))" "$N" "each acknowledgement is sent ($sent) or in doubt ($doubt): none lost"
received() { [ "$(testbed_mail_count alice)" -ge "$sent" ]; }
wait_for 30 received
ids=$(for f in "$TESTBED_MAILDIR_ROOT"/alice/new/* "$TESTBED_MAILDIR_ROOT"/alice/cur/*; do
	[ -f "$f" ] && sed -n 's/^Message-I[dD]: *//Ip' "$f" | head -1
done)
got=$(echo "$ids" | grep -c .)
is "$(echo "$ids" | sort | uniq -d | grep -c .)" 0 "no letter reached the complainant twice ($got received)"
[ "$got" -ge "$sent" ] && [ "$got" -le $((sent + doubt)) ]
ok $? "every letter recorded as sent arrived, and only those in doubt may have too"

done_testing
