#!/bin/bash
# t_channel.sh: cases staff open for a call or a letter (#ouvrir by email,
# recoursctl open), letters on paper to the staff who post them, and a
# registered letter from posting to its receipt.  Each bad input of the
# opening is refused with its reason: #ouvrir from outside staff, from
# staff not proven by our server, a date in the future or too old, an
# address that does not fit a window envelope.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
year=2026
# Friday 4 December 2026, 10:00 in Paris.
clock_run_at "2026-12-04 10:00"
mkdir -p "$d/rules"
# Claims: notified to staff1; the decision goes by registered letter,
# signed by the quality manager; a case may be dated a month back; the
# appeal window counts from the date on the decision's receipt.
sed -e 's/^		priority = 10;$/		priority = 10; notify = "staff1@example.test"; paper = ( "decision" ); registered = ( "decision" ); signed_by = "quality"; received_within = "1 mois";/' \
    -e 's/^			{ name = "response"; within = "1 mois"; remind_before = "7 jours"; }$/&,\n			{ name = "appeal-window"; within = "5 jours ouvrés"; starts_with = "#ar-recu"; }/' \
    "$top_srcdir/rules/00-default.conf" > "$d/rules/00-default.conf"
testbed_conf 'staff_authserv_id = "mx.example.test";
post = { role = "courrier"; sender = ( "Organisme", "1 place du Port", "83140 Six-Fours-les-Plages" );
    city = "Six-Fours-les-Plages"; remind_every = "2 jours ouvrés"; receipt_within = "10 jours"; };'
sed -i 's/role = "quality"; } );/role = "quality"; },\n          { address = "manager@example.test"; name = "Marie Poste"; role = "courrier"; } );/' "$d/recoursd.conf"
"$RECOURSCTL" -f "$d/recoursd.conf" check >"$d/check.out" 2>&1
ok $? "the configuration with a post group and paper rules checks" || sed 's/^/# /' "$d/check.out"
daemon_start

pass="mx.example.test; dkim=pass header.d=example.test"
crlf=$'\r\n'
n=0
# send FROM AUTH-RESULTS BODY [IN-REPLY-TO]: a plain message to client@.
send() {
	n=$((n + 1))
	printf 'From: %s\r\nTo: client@example.test\r\nSubject: Appel du 2 décembre\r\nMessage-ID: <ch%d@example.test>\r\n%s%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n' \
	    "$1" $n "${2:+Authentication-Results: $2$crlf}" "${4:+In-Reply-To: <$4>$crlf}" "$3" > "$d/ch$n.eml"
	testbed_send "$1" client@example.test "$d/ch$n.eml"
	wait_for 20 processed $n
}
cases() { sql "$db" "SELECT count(*) FROM cases"; }
msgid() { sed -n 's/^Message-Id: <\(.*\)>\r*$/\1/p' "$d/found.eml"; }

# --- Refused openings: no case, each says why.
send alice@example.test "$pass" "#ouvrir reclamation
#canal telephone
#plaignant Alice <alice@example.test>

Je m'ouvre un dossier moi-même."
is "$(cases)" 0 "#ouvrir from someone who is not staff opens nothing"
like "$(cat "$d/recoursd.log")" "security: #ouvrir from alice@example.test refused" "and is logged as a security event"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'open-refused'")" 1 "with an event"

send staff1@example.test "" "#ouvrir reclamation
#canal telephone
#recu-le 2026-12-02
#plaignant Jean Dupont <bob@example.test>"
is "$(cases)" 0 "#ouvrir from a staff address our server did not authenticate opens nothing"
wait_found staff1 "Ouverture de dossier refusée" "the member of staff is told"
like "$mail" "DKIM, SPF or DMARC" "why: no pass from our server"
testbed_imap_delete_all staff1

refused() {	# BODY DESCRIPTION REASON
	send staff1@example.test "$pass" "$1"
	is "$(cases)" 0 "$2: no case"
	wait_found staff1 "Ouverture de dossier refusée" "$2: refused in the receipt"
	like "$mail" "$3" "$2: the receipt says why"
	testbed_imap_delete_all staff1
}
refused "#ouvrir reclamation
#canal telephone
#recu-le 2026-12-07
#plaignant Jean Dupont <bob@example.test>" "a date of receipt in the future" "dans le futur"
refused "#ouvrir reclamation
#canal courrier
#recu-le 2026-10-01
#plaignant Jean Dupont <bob@example.test>" "a date of receipt before the rules' limit" "plus de 1 mois"
refused "#ouvrir reclamation
#canal courrier
#recu-le 2026-12-02
#plaignant Jean Dupont
#adresse Résidence Les Pins ; Bâtiment B ; Escalier 3 ; Appartement 12 ; 12 rue des Lilas ; 83140 Six-Fours-les-Plages" "an address of 7 lines with the name" "fenêtre de l'enveloppe"
refused "#ouvrir reclamation
#canal courrier
#recu-le 2026-12-02
#plaignant Jean Dupont
#adresse 12 avenue du Maréchal-de-Lattre-de-Tassigny prolongée ; 83140 Six-Fours-les-Plages" "an address line too long for the window" "Maréchal-de-Lattre.*fenêtre|fenêtre.*Maréchal-de-Lattre"
refused "#ouvrir reclamation
#canal pigeon
#recu-le 2026-12-02
#plaignant Jean Dupont <bob@example.test>" "an unknown channel" "#canal pigeon"
refused "#ouvrir inconnu
#canal courrier
#plaignant Jean Dupont <bob@example.test>" "an unknown type" "type inconnu"

# --- A call, entered by email: the complainant gets the acknowledgement.
send staff1@example.test "$pass" "#ouvrir réclamation
#canal telephone
#recu-le 2026-12-02
#plaignant Jean Dupont <bob@example.test>

M. Dupont a appelé : sa facture de novembre est fausse."
is "$(cases)" 1 "#ouvrir from authenticated staff opens the case"
is "$(sql "$db" "SELECT ref || ' ' || type || ' ' || channel || ' ' || complainant_name || ' ' || complainant_addr FROM cases")" \
    "REC-$year-0001 claim telephone Jean Dupont bob@example.test" "of the type, channel and complainant the commands name"
is "$(sql "$db" "SELECT opened_at FROM cases")" "$(clock_epoch "2026-12-02 00:00")" "its deadlines start on the day of receipt"
is "$(sql "$db" "SELECT due_at FROM timer WHERE deadline = 'response' AND kind = 'due'")" "$(clock_epoch "2027-01-05 00:00")" \
    "the response is due a month after the receipt, not the email (Saturday 2 January: the next working day)"
wait_found bob "^\[REC-$year-0001\] Accusé de réception" "the complainant is acknowledged by email"
like "$mail" "Bonjour Jean Dupont" "by name"
wait_found staff1 "^\[REC-$year-0001\] Dossier ouvert" "staff get the receipt of the opening"
like "$mail" "Canal : telephone" "with the channel"
wait_found staff1 "^\[REC-$year-0001\] Nouveau dossier" "and the notification of the new case"
like "$mail" "sa facture de novembre est fausse" "whose first message is the text after the commands"

# --- A letter with no email, entered with recoursctl open: paper.
printf 'Courrier de Mme Dupré-Lévêque : le technicien n'"'"'est jamais venu.\n' > "$d/lettre.txt"
printf '%%PDF-1.4 scanned letter\n' > "$d/scan.pdf"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" open --type claim --channel courrier --received 2026-12-03 \
    --name "Élodie Dupré-Lévêque" --address "12 rue des Lilas, 83140 Six-Fours-les-Plages" "$d/lettre.txt" "$d/scan.pdf" 2>&1)
like "$out" "REC-$year-0002" "recoursctl open prints the new case's reference"
is "$(sql "$db" "SELECT channel || '|' || postal_address FROM cases WHERE ref = 'REC-$year-0002'")" "courrier|12 rue des Lilas
83140 Six-Fours-les-Plages" "it records the channel and the address, cut into lines"
is "$(sql "$db" "SELECT count(*) FROM attachment a JOIN message m ON m.id = a.message JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0002' AND a.filename = 'scan.pdf'")" 1 \
    "the scanned letter is kept"
wait_found manager "^\[REC-$year-0002\] Courrier à poster" "the acknowledgement goes on paper to the staff who post letters"
like "$mail" "12 rue des Lilas" "with the address"
like "$(cat "$d/found.eml")" "courrier-REC-$year-0002-accuse-reception.pdf" "and the letter attached as a PDF"
is "$(sql "$db" "SELECT letter || ' ' || registered || ' ' || coalesce(posted_at, 0) FROM post")" "ack 0 0" "a letter waits to be posted"
post_id=$(msgid)
is "$(testbed_mail_count alice)" 0 "nothing is mailed to anyone else"
# Its 24 h acknowledgement fell due the day before it was entered.
ack_fired() { sql "$db" "SELECT e.detail FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0002' AND e.kind LIKE 'deadline-%' AND e.detail LIKE 'ack:%'"; }
ack_seen() { [ -n "$(ack_fired)" ]; }
wait_for 20 ack_seen
like "$(ack_fired)" "checked late: it fell due before the case was entered" \
    "a deadline past before the case was entered says so, not that recoursd was down"

# The reminder: not posted after 2 working days.
clock_run_at "2026-12-09 11:00"
kill -USR1 "$pid"
wait_found manager "^\[REC-$year-0002\] Rappel : le courrier" "staff are reminded of a letter not posted"

# --- Bad post commands are refused; #poste records the posting.
reply_mgr() {	# BODY: the manager answers the letter to post
	send manager@example.test "$pass" "$1" "$post_id"
}
testbed_imap_delete_all manager
reply_mgr "#ar-recu 2026-12-09"
wait_found manager "Compte rendu" "#ar-recu with no registered letter posted is refused"
like "$mail" "aucun recommandé" "and says why"
testbed_imap_delete_all manager
reply_mgr "#poste 2026-12-15"
wait_found manager "Compte rendu" "#poste with a date in the future is refused"
like "$mail" "futur" "and says why"
testbed_imap_delete_all manager
reply_mgr "#poste"
wait_found manager "Compte rendu" "#poste records the posting"
is "$(sql "$db" "SELECT posted_at > 0 FROM post WHERE letter = 'ack'")" 1 "the letter is posted"
is "$(sql "$db" "SELECT state FROM timer WHERE deadline LIKE 'post-letter-%' ORDER BY id DESC LIMIT 1")" cancelled "and no longer reminded"

# --- The decision by registered letter, from posting to receipt.
testbed_imap_delete_all manager
wait_for 20 found staff1 "^\[REC-$year-0002\] Nouveau dossier"
nid=$(msgid)
send staff1@example.test "$pass" "#decision Le passage du technicien est reprogrammé et la facture annulée." "$nid"
wait_found manager "^\[REC-$year-0002\] Courrier à poster en recommandé" "the decision goes by registered letter"
dec_id=$(msgid)
like "$(cat "$d/found.eml")" "courrier-REC-$year-0002-decision" "the decision's letter is attached"
text=$(testbed_letter "$d/found.eml")
like "$text" "Paul Durand" "signed by the role the rules name"
like "$text" "Six-Fours-les-Plages, le 9 décembre 2026" "dated from the sender's town"
like "$text" "Réf\. : REC-$year-0002" "with the reference"
like "$text" "Élodie Dupré-Lévêque" "the recipient's name, accents intact"
like "$text" "le passage du technicien est reprogrammé|Le passage du technicien est reprogrammé" "and the body of the decision"
testbed_imap_delete_all manager
send manager@example.test "$pass" "#recommande 1A 2345" "$dec_id"
wait_found manager "Compte rendu" "a tracking number with a space is refused"
like "$mail" "numéro du recommandé" "and the receipt says how to write it"
testbed_imap_delete_all manager
send manager@example.test "$pass" "#recommande 1A23456789012 2026-12-09" "$dec_id"
wait_found manager "Compte rendu" "#recommande records the registered letter"
is "$(sql "$db" "SELECT registered || ' ' || tracking FROM post WHERE letter = 'decision'")" "1 1A23456789012" "with its number"
# No receipt after 10 days (Saturday 19: Monday 21 December): staff are
# reminded.
clock_run_at "2026-12-22 10:00"
kill -USR1 "$pid"
wait_found manager "^\[REC-$year-0002\] Rappel : aucun avis de réception" "a registered letter with no receipt back reminds staff"
testbed_imap_delete_all manager
send manager@example.test "$pass" "#ar-recu 2026-12-10" "$dec_id"
wait_found manager "Compte rendu" "#ar-recu records the date on the receipt"
is "$(sql "$db" "SELECT receipt_at FROM post WHERE letter = 'decision'")" "$(clock_epoch "2026-12-10 00:00")" "the receipt's date"
is "$(sql "$db" "SELECT due_at FROM timer WHERE deadline = 'appeal-window'")" "$(clock_epoch "2026-12-18 00:00")" \
    "a deadline that starts at notification counts from the receipt: 5 working days"
is "$(sql "$db" "SELECT state FROM timer WHERE deadline LIKE 'post-receipt-%'")" cancelled "the receipt is no longer awaited"

# --- Indicators per channel, the dashboard, the export.
is "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year $year --channels)" "year,channel,cases
$year,courrier,1
$year,telephone,1" "recoursctl stats counts cases per channel"
"$RECOURSCTL" -f "$d/recoursd.conf" dashboard --year $year -o "$d/dash.html"
like "$(cat "$d/dash.html")" 'data-channel="courrier">1<' "the dashboard too"
"$RECOURSCTL" -f "$d/recoursd.conf" export "REC-$year-0002" -o "$d/export" >/dev/null
ls "$d/export/attachments" > "$d/export.ls"
like "$(cat "$d/export.ls")" "courrier-REC-$year-0002-decision" "the letters on paper are in the export"
like "$(cat "$d/export/events.txt")" "receipt signed on 10 décembre 2026" "with their receipt in the log"
"$RECOURSCTL" -f "$d/recoursd.conf" verify >/dev/null
ok $? "the event chain is intact"

done_testing
