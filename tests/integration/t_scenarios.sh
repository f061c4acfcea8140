#!/bin/bash
# t_scenarios.sh: each shipped profile (contrib/profiles/) runs its
# procedure end to end over the test bed (Dovecot, Postfix), on a
# simulated clock: the complainant writes, is acknowledged, staff answer
# by mail with commands, timers fire months later, letters arrive.  Each
# profile runs on a fresh database; mailboxes are emptied between them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
# Each profile starts on Monday 23 November 2026 at 09:00 in Paris, on a
# clock that stands still until the test moves it: cases opened before
# the clock moves are numbered in 2026, whatever the real date.
start_at="2026-11-23 09:00"
year=2026
export RECOURSD_CLOCK_FILE=$d/clock
wait_found_seconds=30
state() { sql "$db" "SELECT state FROM cases WHERE ref = '$1'"; }
# at_due DEADLINE: the clock a minute after that deadline of the case.
at_due() {
	clock_at "@$(($(sql "$db" "SELECT max(due_at) FROM timer WHERE deadline = '$1' AND kind = 'due'") + 60))"
	kill -USR1 $pid
}
timer() { sql "$db" "SELECT state FROM timer WHERE deadline = '$1' AND kind = 'due'"; }
has_timer() { [ "$(timer "$1")" = "$2" ]; }

# start PROFILE MAILBOX [ROLE]: a fresh daemon on the profile's rules,
# watching MAILBOX (its name and role), staff1 as the administrator and
# staff2 in ROLE (default quality).
start() {
	profile=$1
	wait_found_prefix="$1: "
	[ -n "${pid:-}" ] && kill_wait $pid
	outside_headers
	for u in client secretariat staff1 staff2 manager alice bob; do testbed_imap_delete_all $u; done
	rm -rf "$d/state" "$d/rules"
	cp -r "$top_srcdir/contrib/profiles/$1/rules" "$d/rules"
	clock_at "$start_at"
	testbed_conf "alerts = { admin = \"staff1@example.test\"; };
template_overrides = \"$top_srcdir/contrib/profiles/$1/templates\";
post = { role = \"secretariat\"; city = \"Six-Fours-les-Plages\";
    sender = ( \"Organisme\", \"1 place du Port\", \"83140 Six-Fours-les-Plages\" ); };"
	sed -i -e "s/name = \"client\"; host/name = \"$2\"; role = \"$2\"; host/" \
	    -e "s/user = \"client\"; password/user = \"$2\"; password/" \
	    -e "s/reply_address = \"client@/reply_address = \"$2@/" \
	    -e "s/role = \"quality\"/role = \"${3:-quality}\"/" "$d/recoursd.conf"
	box=$2
	db=$d/state/recoursd.db
	daemon_start
}
# outside_headers: every header of every mail the complainant (alice), the
# firm (bob) and the insurer (manager) got, kept in $d/outside-headers.
outside_headers() {
	local u
	for u in alice bob manager; do testbed_headers $u; done >> "$d/outside-headers"
}
# write FROM SUBJECT BODY [IN-REPLY-TO]: mail to the watched mailbox.
n=0
write() {
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s@example.test\r\nSubject: %s\r\nMessage-ID: <sc%d@example.test>\r\n%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$1" "$box" "$2" $n "${4:+In-Reply-To: <$4>\r\n}" "$3" > "$d/m$n.eml"
	testbed_send "$(echo "$1" | sed 's/.*<\(.*\)>/\1/')" "$box@example.test" "$d/m$n.eml"
}
msgid() { echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p'; }

# --- Activcert: an appeal, its admissibility confirmed, the decision.
start activcert client committee
write "Jean Dupont <alice@example.test>" "Appel de la décision" "Je fais appel de la décision du 18/11/$year qui refuse notre certification."
wait_found alice "Accusé de réception de votre appel" "the appeal is acknowledged"
wait_found staff1 "Nouveau dossier \(appel\)" "staff are notified"
nid=$(msgid)
write "staff1@example.test" "Re: [APP-$year-0001] Appel" "#recevable" "$nid"
wait_for 20 processed 2
is "$(state APP-$year-0001)" admissible "#recevable confirms admissibility"
at_due admissibility
wait_for 20 has_timer admissibility met
ok $? "$profile: the admissibility deadline is met"
write "staff1@example.test" "Re: [APP-$year-0001] Appel" "#decision Après examen par un membre du comité n'ayant pas siégé, la décision est maintenue.
#clore" "$nid"
wait_for 20 processed 3
is "$(state APP-$year-0001)" admissible "a decision cannot close the case before its approval"
write "staff1@example.test" "Re: [APP-$year-0001] Appel" "#implique staff1@example.test
#decision Après examen par un membre du comité n'ayant pas siégé, la décision est maintenue." "$nid"
wait_found staff2 "Décision à approuver" "a committee member who did not sit is asked to approve"
aid=$(msgid)
write "staff2@example.test" "Re: [APP-$year-0001] Appel" "#approuver
#clore" "$aid"
wait_found alice "Décision concernant votre appel" "once approved, the decision is written to the appellant"
wait_for 20 processed 5
is "$(state APP-$year-0001)" closed "and the case closed"
# Bad input: an appeal lodged after the 5 jours ouvrés is flagged to staff.
write "Jean Dupont <bob@example.test>" "Appel" "J'ai reçu la décision du 02/01/$year et je fais appel."
wait_found staff1 "Nouveau dossier \(appel\) : Appel$" "a late appeal is notified"
like "$mail" "HORS DÉLAI" "flagged out of time, not refused"
# A claim about Activcert's service: acknowledged within 24 h, answered
# in writing within 72 h.
write "Jean Dupont <alice@example.test>" "Réclamation : délai de réponse" "Mon courriel est resté trois semaines sans réponse."
wait_found alice "Accusé de réception de votre réclamation" "a claim is acknowledged"
wait_found staff1 "Nouveau dossier \(réclamation\)" "staff are notified of the claim"
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#recevable
#decision Votre réclamation est fondée : un interlocuteur unique vous est désormais attribué." "$(msgid)"
wait_found alice "Décision concernant votre réclamation" "the written answer reaches the claimant"
at_due response
wait_for 20 eval '[ "$(sql "$db" "SELECT group_concat(state) FROM (SELECT t.state FROM timer t JOIN cases c ON c.id = t.case_id WHERE c.ref = '"'REC-$year-0001'"' AND t.kind = '"'due'"' ORDER BY t.deadline)")" = met,met ]'
ok $? "$profile: the claim's 24 h acknowledgement and 72 h answer are met"
# A complaint against a certified organisation: admissible, handed to
# that client (the case file by mail), the complainant told.
write "Luc Martin <bob@example.test>" "Plainte contre l'organisme Certibat" "Certibat affiche une certification qu'il n'a plus."
wait_found staff1 "Nouveau dossier \(plainte\)" "a complaint against a certified organisation"
ref=$(echo "$mail" | sed -n 's/^Subject: \[\(PLA-[0-9]*-[0-9]*\)\].*/\1/p')
write "staff1@example.test" "Re: [$ref] Plainte" "#recevable
#partie manager@example.test
#transmettre manager@example.test Merci de traiter cette plainte et de nous adresser vos preuves.
#decision Votre plainte est recevable : nous avons demandé à l'organisme concerné de la traiter ; notre auditeur vérifiera les mesures prises lors du prochain audit de surveillance." "$(msgid)"
wait_found manager "Transmission du dossier" "the certified client is asked to handle it, with the case file"
wait_found bob "Décision concernant votre plainte" "and the complainant is told of the decision"
is "$(state "$ref")" decided "its admissibility, then its decision, are recorded ($ref)"

# A client with no email appeals by registered letter: staff enter it;
# the acknowledgement goes on paper, the decision by registered letter,
# from its posting to the date on its receipt.
# The clock stands months after the start: the letter came 3 days ago,
# against a decision of the day before.
came=$(clock_date %Y-%m-%d "@$(($(clock_now) - 3 * 86400))")
out=$("$RECOURSCTL" -f "$d/recoursd.conf" open --type appeal --channel recommande --received "$came" \
    --name "Bâtir Provence" --address "Zone artisanale du Brusc ; 83140 Six-Fours-les-Plages" \
    --subject "Appel de la décision du $(clock_date %d/%m/%Y "@$(($(clock_now) - 4 * 86400))")" 2>&1)
ref=$(echo "$out" | grep -oE "APP-[0-9]{4}-[0-9]+")
like "$ref" "^APP-[0-9]{4}-" "an appeal received by registered letter is entered with recoursctl open" || echo "$out" | sed 's/^/#   /'
is "$(sql "$db" "SELECT channel || ' ' || out_of_time FROM cases WHERE ref = '$ref'")" "recommande 0" \
    "its channel recorded, in time from the day it was received"
wait_found staff1 "^\[$ref\] Courrier à poster : accuse-reception" "the acknowledgement goes on paper to the staff who post letters"
like "$(testbed_letter "$d/found.eml")" "Zone artisanale du Brusc" "a PDF letter to the client's address"
write "staff1@example.test" "Re: [$ref] Courrier" "#poste" "$(msgid)"
wait_for 20 eval '[ "$(sql "$db" "SELECT count(*) FROM post WHERE letter = '"'ack'"' AND posted_at > 0")" = 1 ]'
ok $? "$profile: its posting is recorded (#poste)"
wait_found staff1 "^\[$ref\] Nouveau dossier \(appel\)" "staff are notified of it"
write "staff1@example.test" "Re: [$ref] Appel" "#implique staff1@example.test
#decision La suspension est levée après examen par un membre du comité." "$(msgid)"
wait_found staff2 "^\[$ref\] Décision à approuver" "its decision waits for an uninvolved approver"
write "staff2@example.test" "Re: [$ref] Appel" "#approuver
#clore" "$(msgid)"
wait_found staff1 "^\[$ref\] Courrier à poster en recommandé avec AR : decision" "the decision goes by registered letter with receipt"
letter=$(testbed_letter "$d/found.eml")
like "$letter" "Lettre recommandée avec accusé de réception" "the letter says it is registered"
like "$letter" "La suspension est levée" "with the decision"
like "$letter" "Réf\. : $ref" "and the reference"
dec=$(msgid)
write "staff1@example.test" "Re: [$ref] Courrier" "#recommande 1A00012345678" "$dec"
wait_for 20 eval '[ "$(sql "$db" "SELECT tracking FROM post WHERE letter = '"'decision'"'")" = 1A00012345678 ]'
ok $? "$profile: its posting is recorded with the tracking number (#recommande)"
is "$(state "$ref")" closed "the case is closed, the receipt still awaited"
clock_at "@$(($(clock_now) + 20 * 86400))"
kill -USR1 $pid
wait_found staff1 "^\[$ref\] Rappel : aucun avis de réception" "no receipt after 15 days: staff are reminded"
write "staff1@example.test" "Re: [$ref] Courrier" "#ar-recu $(clock_date %Y-%m-%d "@$(($(clock_now) - 16 * 86400))")" "$(msgid)"
wait_for 20 eval '[ "$(sql "$db" "SELECT count(*) FROM post WHERE letter = '"'decision'"' AND receipt_at > 0")" = 1 ]'
ok $? "$profile: the date on the receipt is recorded (#ar-recu)"
# A further appeal is checked against the date on that receipt.
out=$("$RECOURSCTL" -f "$d/recoursd.conf" open --type appeal --channel telephone \
    --received "$(clock_date %Y-%m-%d)" --name "Bâtir Provence" --address "Zone artisanale du Brusc ; 83140 Six-Fours-les-Plages" 2>&1)
ref2=$(echo "$out" | grep -oE "APP-[0-9]{4}-[0-9]+")
wait_found staff1 "^\[$ref2\] Nouveau dossier" "a call appealing again is entered"
write "staff1@example.test" "Re: [$ref2] Appel" "#notification-decision $ref" "$(msgid)"
wait_found staff1 "^\[$ref2\] Compte rendu" "the appeal window is checked against the receipt of $ref's registered letter"
like "$mail" "Recevabilité : HORS DÉLAI" "5 working days after the receipt: out of time"
clock_at "$start_at"

# --- CESI: an appeal acknowledged within 8 jours ouvrés, progress notice.
start cesi client
write "Marie Curie <alice@example.test>" "Recours : décision de non-certification" "Je conteste la décision notifiée le 02/11/$year."
wait_found alice "Accusé de réception de votre appel" "the appeal is acknowledged"
wait_found staff1 "Nouveau dossier" "staff are notified"
like "$mail" "Recevabilité : decision notified 02/11/$year: lodged before the limit" "lodged less than 2 months after the decision: admissible in time"
nid=$(msgid)
at_due ack
wait_for 20 has_timer ack met
ok $? "$profile: the 8 jours ouvrés acknowledgement deadline is met"
# Bad input: a mistyped command changes nothing and is explained.
write "staff1@example.test" "Re: [APP-$year-0001] Recours" "#decison oui" "$nid"
wait_found staff1 "Compte rendu" "a mistyped command gets a receipt"
like "$mail" "commande inconnue" "explaining the error"
is "$(state APP-$year-0001)" received "and nothing changes"
at_due progress
wait_found alice "Point d'avancement" "the appellant is informed of progress"
write "staff1@example.test" "Re: [APP-$year-0001] Recours" "#fondee
#cause Barème de notation mal appliqué
#action-corrective Former les jurés au barème échéance 31/12/$year
#decision Votre recours est fondé : le jury réexaminera votre dossier." "$nid"
wait_found alice "Décision concernant votre appel" "the decision reaches the appellant"
is "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year $year --causes 2>&1)" "year,type,cause,cases
$year,appeal,Barème de notation mal appliqué,1" "$profile: the analysis of causes (#cause) is counted"
"$RECOURSCTL" -f "$d/recoursd.conf" dashboard --year $year -o "$d/cesi.html"
like "$(cat "$d/cesi.html")" "data-cause=\"Barème de notation mal appliqué\">1<" "$profile: and shown on the dashboard"
at_due response
wait_for 20 has_timer response met
ok $? "$profile: the response deadline is met (100 % of deadlines met)"
write "staff1@example.test" "Re: [APP-$year-0001] Recours" "#action-soldee Session de formation des jurés tenue.
#efficacite Les jurés appliquent le barème (audit interne).
#clore" "$nid"
wait_for 20 eval '[ "$(state APP-$year-0001)" = closed ]'
ok $? "$profile: the corrective action's efficacy is checked, the record closed"
like "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year $year 2>&1)" "^$year,[0-9]+,appeal,1,.*,1,1,1,1,100,yes$" \
    "$profile: the indicators meet both objectives (1 appeal a month, 100 %)"

# --- Cyberini: a complex claim, announced within 5 days, answered in a month.
start cyberini client
write "Paul Martin <alice@example.test>" "Réclamation formation" "La session a été annulée sans préavis."
wait_found alice "Accusé de réception de votre réclamation" "the claim is acknowledged"
wait_found staff1 "Nouveau dossier" "staff are notified"
nid=$(msgid)
# Bad input: a command from an address that is not staff.
write "Paul Martin <alice@example.test>" "Re: [REC-$year-0001] Réclamation" "#clore" "$nid"
wait_for 20 processed 2
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'commands-refused'")" 1 "a command from the complainant is refused"
is "$(state REC-$year-0001)" received "and changes nothing"
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#complexe Nous devons interroger le formateur et l'organisme partenaire." "$nid"
wait_found alice "demande un examen approfondi" "the complexity is told in writing, with the reason"
like "$mail" "au plus tard le mercredi 23 décembre $year" \
    "promising the answer within the month (from Monday 23 November), not the week"
is "$(timer response)" cancelled "a complex case is not held to the 7-day answer"
at_due complexity
wait_for 20 has_timer complexity met
ok $? "$profile: the complexity notice came within 5 days"
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#decision Un avoir vous est accordé et une nouvelle session proposée." "$nid"
wait_found alice "Décision concernant votre réclamation" "the answer reaches the complainant"
at_due overall
wait_for 20 has_timer overall met
ok $? "$profile: answered within the month"
# Bad input: a complexity announced on the sixth day is late.
write "Paul Martin <bob@example.test>" "Réclamation certificat" "Le certificat n'est jamais arrivé."
wait_found staff1 "Nouveau dossier.*certificat" "a second claim"
clock_at "@$(($(sql "$db" "SELECT opened_at FROM cases WHERE ref = 'REC-$year-0002'") + 6 * 86400))"
write "staff1@example.test" "Re: [REC-$year-0002] Réclamation" "#complexe Le prestataire doit être interrogé." "$(msgid)"
wait_for 20 eval '[ "$(sql "$db" "SELECT t.state FROM timer t JOIN cases c ON c.id = t.case_id WHERE c.ref = '"'REC-$year-0002'"' AND deadline = '"'complexity'"' AND kind = '"'due'"'")" = missed ]'
ok $? "$profile: announced on the sixth day, the complexity notice is missed"

# --- A2S: an insatisfaction answered simply; a lawsuit goes to management.
start a2s client external
write "Syndic <alice@example.test>" "Insatisfaction rapport de contrôle" "Le rapport comporte des erreurs."
wait_found staff1 "Nouveau dossier \(insatisfaction\)" "an insatisfaction opens its own type"
nid=$(msgid)
write "staff1@example.test" "Re: [INS-$year-0001] Insatisfaction" "Le rapport corrigé vous sera adressé cette semaine." "$nid"
wait_found alice "Re: \[INS-$year-0001\]" "the person concerned answers simply (relayed)"
write "Cabinet Avocat <bob@example.test>" "Assignation devant le tribunal" "Veuillez trouver l'assignation."
wait_found staff1 "Nouveau dossier \(recours administratif ou contentieux\)" "legal recourse is its own type, told to management"
write "staff1@example.test" "Re: [JUR-$year-0001] Assignation" "#transmettre manager@example.test Assignation reçue ce jour : merci de prendre le dossier en charge." "$(msgid)"
wait_found manager "Transmission du dossier" "the case file is sent to the insurer (#transmettre)"
like "$mail" "merci de prendre le dossier en charge" "with staff's words"
python3 - "$d/found.eml" > "$d/parts" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
for p in m.iter_attachments():
    print(p.get_filename(), p.get_content_type(), b"Veuillez trouver l'assignation" in p.get_payload(decode=True))
PY
like "$(cat "$d/parts")" "^messages.mbox application/mbox True$" "with every message of the case (mbox)"
like "$(cat "$d/parts")" "^evenements.txt text/plain" "and the event log"
write "Syndic <alice@example.test>" "Réclamation contrôle ascenseur" "L'inspecteur a conclu sans visiter la machinerie."
wait_found staff1 "Nouveau dossier \(réclamation\)" "a réclamation opens its case"
nid=$(msgid)
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#decision Le contrôle sera refait à nos frais." "$nid"
wait_found staff2 "Décision à approuver" "the decision goes to the external reviewer"
aid=$(msgid)
sleep 1
is "$(testbed_imap_find alice "Décision" >/dev/null; echo $?)" 1 "nothing reaches the complainant before approval"
write "staff2@example.test" "Re: [REC-$year-0001] Réclamation" "#approuver" "$aid"
wait_found alice "Décision concernant votre réclamation" "approved by the external reviewer, it is sent"

# --- OPQTECC: incomplete, completed, the firm's month, six months, overrun.
start opqtecc secretariat
write "Claire Petit <alice@example.test>" "Réclamation contre un bureau d'études" "Entreprise concernée : Techni-Etudes, Lyon
Faits : l'étude livrée est incomplète."
wait_found alice "Accusé de réception" "the claim is acknowledged"
like "$mail" "vos coordonnées" "asking in the same message for what is missing"
like "$mail" "démarches déjà entreprises" "every missing item"
like "$mail" "Le traitement commencera à la réception de ces éléments" "in the profile's own acknowledgement"
is "$(state REC-$year-0001)" incomplete "the case waits for it"
clock_at "@$(($(clock_now) + 3 * 86400))"
write "Claire Petit <alice@example.test>" "Re: [REC-$year-0001] Réclamation" "Téléphone : 04 72 00 00 00
Démarches entreprises : deux courriers restés sans réponse."
wait_for 20 processed 2
is "$(state REC-$year-0001)" received "the reply completes the case"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'deadlines-restarted'")" 1 "and its deadlines count from then"
wait_found staff1 "Nouveau dossier" "staff are notified"
nid=$(msgid)
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#partie bob@example.test
#transmettre bob@example.test Merci de répondre de manière circonstanciée, sous un mois, aux faits qui vous sont reprochés.
#note L'entreprise est saisie : réponse attendue sous un mois.
#assigner staff2@example.test" "$nid"
wait_for 20 processed 4
wait_found bob "Transmission du dossier" "the firm is told of the claim and asked to answer within a month"
like "$mail" "sous un mois" "in staff's words"
is "$(timer instructor)" pending "handed to an instructor (#assigner), whose month starts then"
wait_found staff2 "Dossier qui vous est attribué" "the instructor is sent the case"
like "$mail" "Faits : l'étude livrée est incomplète" "with the complainant's messages"
write "staff2@example.test" "Re: [REC-$year-0001] Réclamation" "#note Visite du chantier prévue ; le plaignant sera contacté." "$(msgid)"
wait_for 20 eval '[ "$(sql "$db" "SELECT actor FROM event WHERE kind = '"'note'"' ORDER BY id DESC LIMIT 1")" = "staff <staff2@example.test>" ]'
ok $? "$profile: the instructor's reply carries commands"
at_due firm
wait_found staff1 "Échéance dépassée : firm" "the firm's month passed: staff are told"
at_due overall
wait_found staff1 "Échéance dépassée : overall" "six months passed: escalated"
# The notification's token expired months ago: staff answer the
# escalation, which carries a fresh one.
like "$(msgid)" "^n\.REC-$year-0001\." "the escalation carries a token"
nid=$(msgid)
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#justifier L'expertise contradictoire a été reportée deux fois." "$nid"
wait_found alice "Dépassement du délai" "the overrun is justified to the complainant"
wait_found bob "Dépassement du délai" "and to the firm"
# The four outcomes of §5.4: an expert first (the case goes on), then a
# warning; both parties are told each time.
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#decision expert Une contre-expertise est confiée à un expert." "$nid"
wait_found alice "Décision concernant votre réclamation" "the expert's inquiry is told to the complainant"
like "$mail" "Issue : Appel à un expert pour un complément d'enquête" "named as the procedure names it"
wait_found bob "Suites données à la réclamation" "and to the firm"
like "$mail" "Une contre-expertise est confiée" "with staff's text"
is "$(state REC-$year-0001)" received "an expert's inquiry is not final: the case goes on"
outside_headers
testbed_imap_delete_all staff1
testbed_imap_delete_all alice
testbed_imap_delete_all bob
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#decision sanction Retrait." "$nid"
wait_found staff1 "Compte rendu" "a decision without one of the four outcomes is refused"
like "$mail" "l'une de : expert, classement, avertissement, commission" "naming them"
write "staff1@example.test" "Re: [REC-$year-0001] Réclamation" "#decision avertissement Un avertissement est adressé à l'entreprise.
#clore" "$nid"
wait_found alice "Décision concernant votre réclamation" "the outcome is told"
like "$mail" "Issue : Avertissement au qualifié ou certifié" "a warning to the firm"
wait_found bob "Suites données à la réclamation" "the firm is told too"
like "$mail" "Issue : Avertissement au qualifié ou certifié" "the same outcome"
is "$(state REC-$year-0001)" closed "the case is closed"
for outcome in classement:Classement commission:Passage; do
	write "Claire Petit <alice@example.test>" "Réclamation ${outcome%%:*}" "Entreprise concernée : Techni-Etudes
Faits : retard.
Téléphone : 04 72 00 00 00
Démarches entreprises : aucune."
	wait_found staff1 "Nouveau dossier.*Réclamation ${outcome%%:*}" "a complete claim ($outcome)"
	ref=$(echo "$mail" | sed -n 's/^Subject: \[\(REC-[0-9]*-[0-9]*\)\].*/\1/p')
	write "staff1@example.test" "Re: [$ref] Réclamation" "#partie bob@example.test
#decision ${outcome%%:*} Décision de la commission." "$(msgid)"
	wait_found alice "\[$ref\] Décision" "$ref: the outcome ${outcome%%:*} is told"
	like "$mail" "Issue : ${outcome#*:}" "in its words"
	wait_found bob "\[$ref\] Suites" "and to the firm"
done
# Five years after closing, the file is deleted (the profile's retention).
grep -A3 '^retention' "$top_srcdir/contrib/profiles/opqtecc/recoursd.conf" >> "$d/recoursd.conf"
claims=$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year "$year" | grep ',claim,')
clock_at "@$(($(sql "$db" "SELECT closed_at FROM cases WHERE ref = 'REC-$year-0001'") + 4 * 365 * 86400))"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" purge 2>&1)
like "$out" "^0 case" "four years after closing, the claim is kept"
clock_at "@$(($(sql "$db" "SELECT closed_at FROM cases WHERE ref = 'REC-$year-0001'") + 5 * 366 * 86400))"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" purge 2>&1)
like "$out" "retention 5y, delete" "five years after, recoursctl purge applies the profile's retention"
like "$out" "^  REC-$year-0001$" "and deletes the claim's file"
is "$(sql "$db" "SELECT count(*) FROM message m JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0001'")" 0 \
    "none of its messages is left"
is "$(sql "$db" "SELECT coalesce(complainant_addr, 'erased') FROM cases WHERE ref = 'REC-$year-0001'")" erased "nor the complainant"
is "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year "$year" | grep ',claim,')" "$claims" "the indicators of claims are the same"
"$RECOURSCTL" -f "$d/recoursd.conf" verify >/dev/null
ok $? "and the event chain verifies"
clock_at "$start_at"
# Bad input: a claim without «réclamation» in the subject is not one.
write "Luc <bob@example.test>" "Problème avec un bureau d'études" "Le bureau ne répond plus."
wait_found staff1 "À qualifier" "mail without the tag opens a triage case for staff"
is "$(sql "$db" "SELECT type FROM cases WHERE ref LIKE 'TRI-%'")" triage "not a claim"
# A claim by post from a complainant with no email, entered by staff:
# the outcome on paper to both parties, one of them by registered letter.
printf 'Entreprise concernée : Techni-Etudes, Lyon\nFaits : le rapport n'"'"'a jamais été remis.\nTéléphone : 04 72 11 22 33\nDémarches entreprises : deux relances.\n' > "$d/claim.txt"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" open --type claim --channel courrier --received "$(clock_date %Y-%m-%d)" \
    --name "Claire Petit" --address "8 rue Royale ; 69001 Lyon" --mailbox secretariat "$d/claim.txt" 2>&1)
ref=$(echo "$out" | grep -o "REC-$year-[0-9]*")
like "$ref" "^REC-$year-" "a claim received by post is entered with recoursctl open"
wait_found staff1 "^\[$ref\] Courrier à poster : accuse-reception" "its acknowledgement goes on paper"
write "staff1@example.test" "Re: [$ref] Courrier" "#poste" "$(msgid)"
wait_found staff1 "^\[$ref\] Nouveau dossier" "staff are notified"
write "staff1@example.test" "Re: [$ref] Réclamation" "#partie bob@example.test
#adresse-partie Techni-Etudes ; 5 quai Perrache ; 69002 Lyon
#decision avertissement Un avertissement est adressé à l'entreprise.
#clore" "$(msgid)"
wait_found staff1 "^\[$ref\] Courrier à poster : decision$" "the outcome goes on paper to the complainant"
like "$(testbed_letter "$d/found.eml")" "Avertissement au qualifié ou certifié" "naming the outcome"
dec=$(msgid)
wait_found staff1 "^\[$ref\] Courrier à poster : decision-partie" "and to the firm"
like "$(testbed_letter "$d/found.eml")" "5 quai Perrache" "at the address staff gave"
write "staff1@example.test" "Re: [$ref] Courrier" "#recommande 1A00098765432" "$dec"
wait_for 20 eval '[ "$(sql "$db" "SELECT registered || tracking FROM post WHERE letter = '"'decision'"'")" = 11A00098765432 ]'
ok $? "$profile: staff post the complainant's letter registered (#recommande)"
write "staff1@example.test" "Re: [$ref] Courrier" "#ar-recu $(clock_date %Y-%m-%d)" "$dec"
wait_for 20 eval '[ "$(sql "$db" "SELECT count(*) FROM post WHERE letter = '"'decision'"' AND receipt_at > 0")" = 1 ]'
ok $? "$profile: and record the date on its receipt (#ar-recu)"
is "$("$RECOURSCTL" -f "$d/recoursd.conf" stats --year "$year" --channels | grep courrier)" "$year,courrier,1" \
    "recoursctl stats counts the claim received by post"

# No staff token ever reached the complainant, a party or the insurer.
outside_headers
grep -c '^Message-I[dD]:' "$d/outside-headers" | { read -r n; [ "$n" -ge 20 ]; }
ok $? "the headers of the mails outside staff got are collected"
if grep -Eqi 'n\.[A-Z]{2,6}-[0-9]{4}-[0-9]{4,}\.' "$d/outside-headers"; then
	ok 1 "none carries a staff token (Message-ID, In-Reply-To, References, Reply-To)"
	grep -Ei 'n\.[A-Z]{2,6}-[0-9]{4}-[0-9]{4,}\.' "$d/outside-headers" | sed 's/^/# /'
else
	ok 0 "none carries a staff token (Message-ID, In-Reply-To, References, Reply-To)"
fi
done_testing || { tail -40 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
