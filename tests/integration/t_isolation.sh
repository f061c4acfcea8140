#!/bin/bash
# t_isolation.sh: one message, one fate.  In one run and in this order,
# over the real test bed: a message with no address at all (from: "Name",
# lower-case headers), one whose Reply-To is no address, an HTML '&' bomb
# of 4 MiB, one whose acknowledgement the MTA refuses (550), one whose
# processing fails (a fault injected with a SQLite trigger), then ten
# ordinary claims.  The ten are acknowledged within 30 s of delivery; the
# bad ones are set aside or marked, each with a clear reason; the daemon
# never restarts; nothing is lost.  Then the failed message is processed
# again once its cause is gone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10;
	  deadlines = ( { name = "ack"; within = "24 heures"; } ); }
);
EOR
testbed_conf 'alerts = { admin = "staff1@example.test"; };
limits = { acks_per_hour = 100; };'
daemon_start
# The file exists before the migrations that make its tables are committed.
has_cases() { [ "$(sql "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'cases'" 2>/dev/null)" = 1 ]; }
wait_for 20 has_cases
# The fault: opening a case about "poison" fails inside its transaction.
sql "$db" "CREATE TRIGGER poison BEFORE INSERT ON cases WHEN NEW.subject LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'injected fault: poison'); END"

n=0
next() { n=$((n + 1)); f=$d/m$(printf %02d $n).eml; }	# the next file, in $f
crlf() { sed 's/$/\r/'; }
next; crlf > "$f" <<'EOF'
from: "Kate Symes"
to: client@example.test
subject: [Réclamation] export from an old system
message-id: <iso-kate@example.test>

No address at all in this From.
EOF
next; crlf > "$f" <<'EOF'
From: Bob <bob@example.test>
Reply-To: foo
To: client@example.test
Subject: [Réclamation] a Reply-To that is no address
Message-ID: <iso-foo@example.test>

Answer me at foo.
EOF
next
{
	printf 'From: Mallory <bob@example.test>\r\nTo: client@example.test\r\n'
	printf 'Subject: [Réclamation] bombe\r\nMessage-ID: <iso-bomb@example.test>\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
	head -c $((4 * 1024 * 1024 - 400)) /dev/zero | tr '\0' '&' | fold -w 998 | crlf
} > "$f"
next; crlf > "$f" <<'EOF'
From: Ghost <ghost@example.test>
To: client@example.test
Subject: [Réclamation] the MTA refuses my address
Message-ID: <iso-ghost@example.test>

Nobody reads this mailbox.
EOF
next; crlf > "$f" <<'EOF'
From: Bob <bob@example.test>
To: client@example.test
Subject: [Réclamation] poison
Message-ID: <iso-poison@example.test>

Processing this one fails.
EOF
for i in 1 2 3 4 5 6 7 8 9 10; do
	next
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] ordinaire %d\r\nMessage-ID: <iso-ok%d@example.test>\r\n\r\nBonjour, réclamation %d.\r\n' \
	    $i $i $i > "$f"
done
testbed_imap_append client "$d"/m*.eml
delivered=$(date +%s)
ok $? "$n messages delivered to the watched mailbox"

acked() { [ "$(testbed_mail_count alice)" -ge 10 ]; }
wait_for 30 acked
ok $? "the ten ordinary claims are acknowledged within 30 s of delivery, after the bad ones"
echo "# acknowledged $(($(date +%s) - delivered)) s after delivery"
settled() { [ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state <> 'new'")" -eq "$n" ]; }
wait_for 20 settled
ok $? "nothing is lost: all $n messages are stored and dealt with"
is "$(sql "$db" "SELECT count(*) FROM cases WHERE subject LIKE '%ordinaire%'")" 10 \
    "each ordinary claim opened its case"

is "$(sql "$db" "SELECT state FROM inbound WHERE id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-poison@%')")" failed \
    "the message whose processing failed is set aside as failed"
like "$(sql "$db" "SELECT reason FROM inbound WHERE id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-poison@%')")" \
    "injected fault: poison" "with the error as its reason"
is "$(sql "$db" "SELECT count(*) FROM message m JOIN inbound i ON i.id = m.inbound_id WHERE i.id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-poison@%')")" 0 \
    "and nothing of its work is kept"

kate=$(sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%old system%'")
like "$kate" "^REC-[0-9]{4}-[0-9]{4}$" "the message with no address opens its case"
wait_found staff1 "Nouveau dossier.*old system" "staff are notified of it"
like "$mail" "INJOIGNABLE : .*aucune lettre ne peut lui parvenir" "and told that no letter can reach its author"
foo=$(sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%no address%'")
like "$foo" "^REC-" "the message with Reply-To: foo opens its case"
has_undelivered() { [ -n "$(sql "$db" "SELECT 1 FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$1' AND e.kind = 'undelivered'")" ]; }
wait_for 20 has_undelivered "$foo"
ok $? "its acknowledgement could not be written, which its case records"
like "$(sql "$db" "SELECT detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$foo' AND e.kind = 'undelivered'")" \
    "ack to foo was not delivered: it could not be written: .*not a plain e-mail address" "with the reason"
is "$(sql "$db" "SELECT o.state FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$foo' AND o.kind = 'ack'")" failed \
    "its acknowledgement is failed, never counted as sent"
ghost=$(sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%refuses%'")
wait_for 30 has_undelivered "$ghost"
ok $? "the acknowledgement the MTA refused is recorded in its case"
like "$(sql "$db" "SELECT detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$ghost' AND e.kind = 'undelivered'")" \
    "refused by our mail server .*550" "with the server's reply"
like "$(sql "$db" "SELECT state || ': ' || coalesce(reason, '') FROM inbound WHERE id NOT IN (SELECT inbound_id FROM inbound_raw)")" \
    "^(processed|quarantined: .+)" "the & bomb is processed, or quarantined with a reason"

wait_found staff1 "mis de côté" "the administrator is told what was set aside"
like "$mail" "poison" "naming the message"
like "$mail" "recoursctl reprocess" "and saying what to do"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" quarantine list 2>&1)
like "$out" "client +failed +.*injected fault: poison" "recoursctl quarantine list shows it with its state and reason"

# Staff write an address as their mail client does, between brackets.
wait_found staff1 "Nouveau dossier.*ordinaire 1$" "staff are notified of an ordinary claim"
nid=$(echo "$mail" | tr -d '\r' | sed -n 's/^Message-I[dD]: <\(.*\)>$/\1/p')
ref1=$(sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%ordinaire 1'")
printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s] Nouveau dossier\r\nMessage-ID: <iso-staff@example.test>\r\nIn-Reply-To: <%s>\r\n\r\n#transmettre <manager@example.test> Merci de traiter ce dossier.\r\n' \
    "$ref1" "$nid" > "$d/staff.eml"
testbed_imap_append client "$d/staff.eml"
wait_found manager "Transmission du dossier" "#transmettre <address>: the case file goes to the address between the brackets"

is "$(pgrep -f "recoursd -d -v -f $d/recoursd.conf" | head -1)" "$pid" "the daemon never restarted"
is "$(grep -c 'started, ' "$d/recoursd.log")" 1 "it started once"

# Once the cause is gone, the message is processed again.
sql "$db" "DROP TRIGGER poison"
id=$(sql "$db" "SELECT id FROM inbound WHERE id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-poison@%')")
out=$("$RECOURSCTL" -f "$d/recoursd.conf" reprocess "$id" 2>&1)
like "$out" "^$id: processed" "recoursctl reprocess processes a failed message once fixed"
is "$(sql "$db" "SELECT count(*) FROM cases WHERE subject LIKE '%poison%'")" 1 "and it opens its case"

# A restart with a failed row stored starts normally.
sql "$db" "UPDATE inbound SET state = 'new' WHERE id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-ghost@%')"
sql "$db" "CREATE TRIGGER poison2 BEFORE INSERT ON message WHEN NEW.subject LIKE '%refuses%' BEGIN SELECT RAISE(ABORT, 'injected fault at start'); END"
kill_wait $pid
daemon_start
started() { [ "$(grep -c 'started, ' "$d/recoursd.log")" -ge 2 ]; }
wait_for 20 started
ok $? "a stored message that fails at start-up does not stop the start"
is "$(sql "$db" "SELECT state FROM inbound WHERE id IN (SELECT inbound_id FROM inbound_raw WHERE CAST(raw AS TEXT) LIKE '%iso-ghost@%')")" failed \
    "it is set aside"
kill -0 $pid
ok $? "and the daemon runs on"

done_testing
