#!/bin/bash
# t_letters.sh: the mails recoursd writes from templates, over real mail.
# The complainant's language is detected (Content-Language, else the
# words) and kept with the case; staff get new cases and new messages
# from their templates; #incomplet, #complexe, #irrecevable and #decision
# send their letters, in the case's language, signed by the staff member,
# threaded to the complainant's mail.  A template naming an unknown
# variable, or a missing French template, stops recoursd -n with file:line.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"

# Bad templates first: no server needed, but the scratch directory is.
mkdir -p "$d/bad/templates" "$d/rules"
cp -r "$top_srcdir/templates/fr" "$top_srcdir/templates/en" "$d/bad/templates/"
printf 'Subject: [{{case.ref}}] x\n\nBonjour,\n\n{{case.nosuch}}\n' > "$d/bad/templates/fr/decision.txt"
rm "$d/bad/templates/fr/rappel.txt"
write_conf "$d/bad"
sed -i "s|^templates = .*|templates = \"$d/bad/templates\";|" "$d/bad/recoursd.conf"
out=$("$RECOURSD" -n -f "$d/bad/recoursd.conf" 2>&1); rc=$?
isnt() { [ "$1" != "$2" ]; ok $? "$3"; }
isnt "$rc" 0 "recoursd -n refuses bad templates"
like "$out" "fr/decision.txt:5: .*case.nosuch" "an unknown variable: file:line"
like "$out" "fr/rappel.txt" "a missing French template is named"

sed -e 's/^		priority = 10;$/		priority = 10; notify = "staff1@example.test";/' \
    -e 's/^		priority = 20;$/		priority = 20; notify = "staff1@example.test";/' \
    "$top_srcdir/rules/00-default.conf" > "$d/rules/00-default.conf"
testbed_conf 'detect_language = true; reply_subaddress = true;'
daemon_start

# Bob writes in English, with no Content-Language: the words tell.
printf 'From: Bob Smith <bob@example.test>\r\nTo: client@example.test\r\nSubject: [Complaint] my audit report\r\nMessage-ID: <b1@example.test>\r\n\r\nI am writing to complain about the way my audit was handled, and the report that I received.\r\n' > "$d/b1.eml"
testbed_send bob@example.test client@example.test "$d/b1.eml"
wait_found bob "We have received your complaint" "an English complainant gets the English acknowledgement"
like "$mail" "Content-Language: en" "labelled en"
is "$(sql "$db" "SELECT lang FROM cases WHERE ref = 'PLA-$year-0001'")" en "the case keeps its language"

# Alice labels her mail French.
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] facture\r\nMessage-ID: <a1@example.test>\r\nContent-Language: fr-FR\r\n\r\nMy invoice is wrong and I want it fixed.\r\n' > "$d/a1.eml"
testbed_send alice@example.test client@example.test "$d/a1.eml"
wait_found alice "Accusé de réception" "Content-Language: fr-FR wins over the words"

wait_found staff1 "Nouveau dossier \\(plainte\\)" "staff get the new case from its template"
like "$mail" "Plaignant : Bob Smith <bob@example.test>" "with the complainant"
like "$mail" "#decision" "and the commands"
nid_bob=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')
wait_found staff1 "Nouveau dossier \\(réclamation\\)" "and each new case"
nid_alice=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')
cp "$d/found.eml" "$d/notif-alice.eml"

# Bob writes again: staff are told of the new message.
printf 'From: Bob Smith <bob@example.test>\r\nTo: client@example.test\r\nSubject: Re: [PLA-%s-0001] my audit report\r\nMessage-ID: <b2@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nI forgot to say: the auditor was late.\r\n--B\r\nContent-Type: application/pdf; name=rapport.pdf\r\nContent-Disposition: attachment; filename=rapport.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n--B--\r\n' "$year" > "$d/b2.eml"
testbed_send bob@example.test client@example.test "$d/b2.eml"
wait_found staff1 "Nouveau message" "a complainant's new message is notified to staff"
like "$mail" "the auditor was late" "with its text"
like "$mail" "rapport.pdf \\(application/pdf, [0-9]+ octets, jointe\\)" "its attachment listed as attached"
like "$(cat "$d/found.eml")" 'filename="?rapport.pdf' "and attached to the notification"
like "$(cat "$d/found.eml")" "JVBERi0xLjQ" "with its content"

reply() {	# reply ID REF IN-REPLY-TO BODY
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s] dossier\r\nMessage-ID: <%s@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$2" "$1" "$3" "$4" > "$d/$1.eml"
	testbed_send staff1@example.test client@example.test "$d/$1.eml"
}
reply r1 "PLA-$year-0001" "$nid_bob" "#incomplet a copy of the audit report; the date of the audit"
wait_found bob "Further information needed" "#incomplet: the complainant is asked, in English"
like "$mail" "  - a copy of the audit report" "each missing item"
like "$mail" "  - the date of the audit" "listed"
like "$mail" "Sophie Martin" "signed by the staff member"
like "$mail" "Auto-Submitted: no" "written by a person: not automatic"
like "$mail" "In-Reply-To: <b2@example.test>" "threaded to the complainant's last mail"
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'PLA-$year-0001'")" incomplete "and the case is incomplete"

reply r2 "PLA-$year-0001" "$nid_bob" "#complet
#complexe An independent expert must review the audit."
wait_found bob "needs a closer examination" "#complexe: the complexity notice"
like "$mail" "An independent expert must review the audit" "with its reason"
like "$mail" "We will answer by Thursday 9 April 2026" "and the answer's date (a month from 9 March), in English"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'deadlines-restarted'")" 1 "#complet restarts the deadlines"

reply r3 "REC-$year-0001" "$nid_alice" "#irrecevable La réclamation ne concerne pas nos services."
wait_found alice "Irrecevabilité de votre réclamation" "#irrecevable: the inadmissibility letter, in French"
like "$mail" "ne concerne pas nos services" "with its reason"

reply r4 "PLA-$year-0001" "$nid_bob" "#decision The audit will be done again at our expense.
#clore"
wait_found bob "Decision on your complaint" "#decision: the decision letter"
like "$mail" "done again at our expense" "with the decision"
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'PLA-$year-0001'")" closed "and the case closed"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'sent'")" 4 "each letter is an event of its case"

# A complainant the MTA refuses (550 at RCPT): the case notes it, staff
# are told, and the case cannot close before staff say how the
# complainant was informed.
printf 'From: Ghost <ghost@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] colis\r\nMessage-ID: <g1@example.test>\r\n\r\nMon colis est perdu.\r\n' > "$d/g1.eml"
testbed_send ghost@example.test client@example.test "$d/g1.eml"
wait_found staff1 "Nouveau dossier .* colis" "the case of an undeliverable complainant is notified"
nid_ghost=$(echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')
wait_found staff1 "Non distribué : ack à ghost@example.test" "staff are told the acknowledgement was refused"
like "$mail" "#informe" "and how to record what they did"
like "$(sql "$db" "SELECT detail FROM event WHERE kind = 'undelivered'")" \
    "^our ack to ghost@example.test was not delivered: refused by our mail server after 1 attempt\\(s\\): RCPT: 550" \
    "the case records the refusal with the server's reply"
reply r5 "REC-$year-0002" "$nid_ghost" "#clore"
wait_for 20 processed 9
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'REC-$year-0002'")" received "#clore is refused while the complainant was not informed"
reply r6 "REC-$year-0002" "$nid_ghost" "#informe appelé au téléphone, accord pour clore
#clore"
wait_for 20 processed 10
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'REC-$year-0002'")" closed "after #informe it closes"
is "$(sql "$db" "SELECT detail FROM event WHERE kind = 'informe'")" "appelé au téléphone, accord pour clore" "and how is recorded"

# A mail client that drops In-Reply-To and References: the Reply-To of
# the notification carries the token (reply_subaddress).
rt=$(testbed_decode "$d/notif-alice.eml" | sed -n 's/^Reply-To: //p' | tr -d '\r')
like "$rt" "^client\\+n\\.REC-$year-0001\\.[0-9]+\\.[0-9a-f]{8}\\.[0-9a-f]{16}@example.test$" "the notification's Reply-To carries the token"
printf 'From: staff1@example.test\r\nTo: %s\r\nSubject: Re: dossier\r\nMessage-ID: <sub1@example.test>\r\n\r\n#note par la sous-adresse\r\n' "$rt" > "$d/sub1.eml"
testbed_send staff1@example.test "$rt" "$d/sub1.eml"
has_note() { [ "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'note'")" -ge 1 ]; }
wait_for 20 has_note
ok $? "a reply to it without threading headers is authenticated by its recipient"
is "$(sql "$db" "SELECT c.ref FROM event e JOIN cases c ON c.id = e.case_id WHERE e.kind = 'note'")" "REC-$year-0001" "in the right case"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
