#!/bin/bash
# t_faults.sh: the machine fails under the daemon, over the real test bed.
# - The database's file system fills up in the middle of ingest (the
#   state directory on a small tmpfs): the daemon logs, keeps what it
#   committed, retries, and when space comes back goes on with nothing
#   lost or duplicated.
# - recoursctl holds the write lock for 10 s while mail arrives: the
#   daemon waits and goes on.
# - recoursctl reprocess races the daemon on the same row: the message is
#   applied once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
mkdir -p "$d/state"
testbed_claim_rules
testbed_conf 'limits = { acks_per_hour = 1000; };'
claim() {	# claim N: a claim of its own, about 20 kB, in $d/cN.eml
	{
		printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\n'
		printf 'Subject: [Réclamation] dossier %d\r\nMessage-ID: <fault%d@example.test>\r\n\r\n' "$1" "$1"
		for i in $(seq 200); do printf 'ligne %d de la réclamation %d, assez longue pour peser.\r\n' "$i" "$1"; done
	} > "$d/c$1.eml"
}
count() { sql "$db" "SELECT count(*) FROM inbound WHERE state = '$1'"; }

# --- A full disk.
full=
if mount -t tmpfs -o size=16m recoursd-test "$d/state" 2>/dev/null; then
	full=$d/state
	at_exit "umount -l '$d/state'"
fi
if [ -z "$full" ]; then
	skip "the disk fills up during ingest" "cannot mount a tmpfs here (needs root)"
else
	daemon_start
	wait_for 20 test -s "$db"
	for n in $(seq 1 10); do claim $n; done
	testbed_imap_append client "$d"/c?.eml "$d/c10.eml"
	wait_for 30 eval '[ "$(count processed)" -ge 10 ]'
	ok $? "ten claims are processed on a file system with room"
	# Fill what is left, then deliver thirty more.
	head -c 16M /dev/zero > "$full/filler" 2>/dev/null
	for n in $(seq 11 40); do claim $n; done
	testbed_imap_append client $(seq -f "$d/c%g.eml" 11 40)
	wait_for 30 grep -qi 'full\|no space' "$d/recoursd.log"
	ok $? "the daemon logs that the disk is full"
	sleep 3
	kill -0 $pid
	ok $? "and keeps running"
	is "$(count failed)" 0 "no message is set aside for the machine's fault"
	rm -f "$full/filler"
	wait_for 60 eval '[ "$(count processed)" -ge 40 ]'
	ok $? "once space comes back, every message is processed"
	is "$(sql "$db" "SELECT count(*) FROM cases")" 40 "each opened one case"
	is "$(sql "$db" "SELECT count(DISTINCT uid) || ' ' || count(*) FROM inbound")" "40 40" \
	    "nothing lost, nothing stored twice"
	wait_for 30 eval '[ "$(testbed_mail_count alice)" -ge 40 ]'
	sleep 2
	is "$(testbed_mail_count alice)" 40 "each claim is acknowledged once: a full disk never sends a letter twice"
	kill_wait $pid
fi

# --- The write lock held for 10 s by another process.
daemon_start
wait_for 20 test -s "$db"
before=$(sql "$db" "SELECT count(*) FROM inbound")
{ printf 'BEGIN IMMEDIATE;\nINSERT INTO event (case_id, at, actor, kind) VALUES (NULL, 0, %s, %s);\n' "'test'" "'lock'"
  sleep 10; printf 'ROLLBACK;\n'; } | sqlite3 "$db" &
locker=$!
sleep 1
for n in 41 42 43; do claim $n; done
testbed_imap_append client "$d/c41.eml" "$d/c42.eml" "$d/c43.eml"
sleep 5
is "$(sql "$db" "SELECT count(*) FROM inbound")" "$before" "while the lock is held, nothing is written"
wait "$locker"
wait_for 30 eval '[ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = '\''processed'\''")" -ge $((before + 3)) ]'
ok $? "once it is released, the daemon goes on: the three claims are processed"
is "$(count failed)" 0 "none is set aside for a lock"
kill -0 $pid
ok $? "and the daemon runs on"

# --- recoursctl reprocess racing the daemon on the same row: a message
# set aside is taken again by recoursctl while the daemon, woken over and
# over, looks for new rows.  Whoever takes the write lock first applies it.
for n in $(seq 51 60); do
	claim $n
	id=$("$RECOURSCTL" -f "$d/recoursd.conf" inject "$d/c$n.eml" --mailbox client | sed -n 's/.* inbound message \([0-9]*\)$/\1/p')
	sql "$db" "UPDATE inbound SET state = 'failed', reason = 'test' WHERE id = $id AND state = 'new'"
	( for i in $(seq 20); do kill -USR1 $pid; sleep 0.01; done ) &
	"$RECOURSCTL" -f "$d/recoursd.conf" reprocess "$id" >/dev/null 2>&1
	wait $!
done
wait_for 10 eval '[ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state IN ('\''new'\'', '\''failed'\'')")" -eq 0 ]'
ok $? "the ten raced messages are processed"
is "$(sql "$db" "SELECT count(*) FROM message m JOIN inbound i ON i.id = m.inbound_id WHERE i.source = 'inject' GROUP BY i.id HAVING count(*) > 1")" "" \
    "each is recorded once"
is "$(sql "$db" "SELECT count(*) FROM cases WHERE subject LIKE '%dossier 5_' OR subject LIKE '%dossier 60'")" 10 \
    "and opened one case"

done_testing
