#!/bin/bash
# t_staff.sh: staff work by email over real mail.  A new case is notified
# to staff with a token in its Message-ID; staff's reply is relayed to the
# complainant, quoted text and signature cut, signed with their name, and
# a receipt comes back; #note keeps a reply internal; an unknown command
# changes nothing and is explained; a cause the type does not list is
# refused with the list; commands from a non-staff address, or
# from staff without the token, are refused; #clore closes the case and
# cancels its deadlines.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
sed 's/^		priority = 10;$/		priority = 10; notify = "staff1@example.test"; causes = ( "facturation", "accueil" );/' \
    "$top_srcdir/rules/00-default.conf" > "$d/rules/00-default.conf"
testbed_conf
daemon_start

printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] facture\r\nMessage-ID: <s1@example.test>\r\n\r\nMa facture est fausse.\r\n' > "$d/1.eml"
testbed_send alice@example.test client@example.test "$d/1.eml"
wait_for 20 testbed_mailbox_has staff1 1
ok $? "staff1 is notified of the new case"
notif=$(testbed_imap_fetch staff1 1 | tr -d '\r')
like "$notif" "Message-Id: <n\.REC-$year-0001\.[0-9]+\.[0-9a-f]{8}\.[0-9a-f]{16}@example.test>" "the Message-ID carries the token (its day, the notice, the MAC)"
like "$notif" "Reply-To: client@example.test" "Reply-To is the watched mailbox"
like "$notif" "Ma facture est fausse" "with the complainant's text"
nid=$(echo "$notif" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')

reply() {	# reply FROM FILE BODY [IN-REPLY-TO]
	printf 'From: %s\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] Nouveau dossier\r\nMessage-ID: <%s@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$1" "$year" "$2" "${4:-$nid}" "$3" > "$d/$2.eml"
	testbed_send "$1" client@example.test "$d/$2.eml"
}
reply staff1@example.test r1 "Bonjour Madame,

Nous examinons votre facture.

Le lun. 23 nov. 2026 à 10:00, Organisme <recours@example.test> a écrit :
> Ma facture est fausse."
wait_for 20 testbed_mailbox_has alice 2
ok $? "staff1's reply reaches the complainant (after the acknowledgement)"
relayed=$(testbed_imap_fetch alice 2 | tr -d '\r')
like "$relayed" "Nous examinons votre facture" "the reply's text"
like "$relayed" "Sophie Martin" "signed with the staff member's name"
if echo "$relayed" | grep -q "a écrit"; then ok 1 "the quoted text is cut"; else ok 0 "the quoted text is cut"; fi
like "$relayed" "From: Organisme <recours@example.test>" "from the organisation"
wait_for 20 testbed_mailbox_has staff1 2
like "$(testbed_imap_fetch staff1 2 | tr -d '\r')" "transmise" "staff1 gets a receipt"

reply staff1@example.test r2 "#note appelée au téléphone

Texte interne."
wait_for 20 processed 3
wait_for 20 testbed_mailbox_has staff1 3
is "$(testbed_mail_count alice)" 2 "#note: nothing relayed"
is "$(sql "$db" "SELECT detail FROM event WHERE kind = 'note'")" "appelée au téléphone" "the note is an event"

reply staff1@example.test r3 "#frobnicate"
wait_for 20 testbed_mailbox_has staff1 4
like "$(testbed_imap_fetch staff1 4 | tr -d '\r')" "commande inconnue" "an unknown command is explained to its sender"

reply bob@example.test r4 "#clore"
wait_for 20 processed 5
is "$(sql "$db" "SELECT state FROM cases")" "received" "#clore from a non-staff address changes nothing"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'commands-refused'")" 1 "and is recorded"

reply staff2@example.test r5 "#clore"
wait_for 20 testbed_mailbox_has staff2 1
is "$(sql "$db" "SELECT state FROM cases")" "received" "staff2 without a token of theirs: refused"
like "$(testbed_imap_fetch staff2 1 | tr -d '\r')" "rien n'a" "and told why"

reply staff1@example.test r7 "#recevable"
wait_for 20 processed 7
is "$(sql "$db" "SELECT state FROM cases")" "admissible" "#recevable: the case is admissible"
reply staff1@example.test r8 "#incomplet"
wait_for 20 processed 8
is "$(sql "$db" "SELECT state FROM cases")" "admissible" "#incomplet without its text is refused, nothing changes"
reply staff1@example.test r9 "#decision Votre réclamation est fondée : un avoir de 50 euros vous est accordé."
wait_for 20 processed 9
is "$(sql "$db" "SELECT state FROM cases")" "decided" "#decision: the case is decided"
wait_for 20 testbed_mailbox_has alice 3
like "$(testbed_imap_fetch alice 3 | tr -d '\r')" "avoir de 50 euros" "and the decision reaches the complainant"
reply staff1@example.test r10 "#recevable"
wait_for 20 processed 10
is "$(sql "$db" "SELECT state FROM cases")" "decided" "a move the state machine forbids is refused"

receipt_for() {	# receipt_for ID: staff1's receipt of reply ID, in $d/receipt.eml
	local i
	for i in $(seq "$(testbed_mail_count staff1)" -1 1); do
		testbed_imap_fetch staff1 "$i" > "$d/receipt.eml"
		grep -q "^In-Reply-To: <$1@" "$d/receipt.eml" && return 0
	done
	return 1
}
reply staff1@example.test r11 "#cause météo"
wait_for 20 processed 11
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'cause'")" 0 "a cause the type does not list is refused"
wait_for 20 receipt_for r11
like "$(testbed_decode "$d/receipt.eml")" "la cause est l'une de : facturation, accueil" "and the receipt lists the causes"
reply staff1@example.test r12 "#cause facturation"
wait_for 20 processed 12
is "$(sql "$db" "SELECT detail FROM event WHERE kind = 'cause'")" facturation "a listed cause is recorded"
reply staff1@example.test r6 "#clore"
wait_for 20 processed 13
is "$(sql "$db" "SELECT state FROM cases")" "closed" "#clore by staff1 closes the case"
is "$(sql "$db" "SELECT count(*) FROM timer WHERE state = 'pending'")" 0 "and cancels its deadlines"
is "$(testbed_mail_count alice)" 3 "a command-only reply relays nothing"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" stats 2>&1)
like "$out" "^year,month,type,received,admissible" "recoursctl stats: a CSV header"
like "$out" "^$year,[0-9]+,claim,1,1,0,0,1,1,0,0,,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,0,0,0,,,$" \
    "and the claim received, admissible, decided and closed, with its times"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export "REC-$year-0001" -o "$d/export" 2>&1); rc=$?
is "$rc" 0 "recoursctl export writes the case file"
n_in=$(sql "$db" "SELECT count(*) FROM message WHERE case_id = 1")
n_out=$(sql "$db" "SELECT count(*) FROM outbox WHERE case_id = 1")
is "$(grep -c '^From recoursd ' "$d/export/messages.mbox")" "$((n_in + n_out))" \
    "the mbox holds every message in ($n_in) and out ($n_out)"
like "$(cat "$d/export/events.txt")" "decision .*staff <staff1@example.test>" "and the event log, readable"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export "REC-$year-0001" -o "$d/export" 2>&1); rc=$?
is "$rc" 1 "exporting over an existing directory is refused"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export --person ALICE@example.test -o "$d/alice" 2>&1); rc=$?
is "$rc" 0 "recoursctl export --person: everything about one person (GDPR right of access)"
[ -s "$d/alice/REC-$year-0001/messages.mbox" ] && [ -s "$d/alice/REC-$year-0001/events.txt" ]
ok $? "each of their cases as its case file"
like "$(cat "$d/alice/LISEZMOI.txt")" "masquer ce qui concerne d'autres personnes" "with a note to review it before sending"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export --person nobody@example.test -o "$d/nobody" 2>&1); rc=$?
is "$rc" 1 "a person with no case is an error"
[ ! -e "$d/nobody" ]
ok $? "and writes nothing"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export REC-1999-0009 -o "$d/x" 2>&1); rc=$?
like "$out" "REC-1999-0009: no such case" "an unknown reference is a clear error"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" export "REC-$year-0001" -o /proc/recoursd-x 2>&1); rc=$?
is "$rc" 1 "a path that cannot be written is an error"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" stats --type nosuch 2>&1); rc=$?
is "$rc" 1 "stats for an unknown type is an error"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
