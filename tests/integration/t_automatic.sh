#!/bin/bash
# t_automatic.sh: automatic mail and third parties, over real mail
# (Postfix -> Dovecot -> recoursd).  A Yahoo-style feedback report (no
# report-type), a Mailman digest from a -request address, an auto-reply
# marked Auto-Submitted: auto-generated, mail with a null envelope sender
# and list mail open no case and get no acknowledgement; they are kept
# with the reason, counted by recoursctl status and listed by recoursctl
# automatic.  An out-of-office answering a closed case's decision letter
# is an event of the case and does not reopen it.  A third party who puts
# the case reference in the subject neither completes nor reopens the
# case; staff get the message marked as a third party's.  The
# complainant's own replies still complete and reopen it; a party recorded
# with #partie is no third party; a bounce keeps its matching and is
# counted as automatic mail.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10; notify = "staff1@example.test";
	  on_closed = "reopen";
	  required = ( { name = "firm"; label = "le nom de l'entreprise concernée";
	                 pattern = "entreprise\\s*:"; } ); }
);
EOR
testbed_conf
daemon_start
ctl() { "$RECOURSCTL" -f "$d/recoursd.conf" "$@"; }
state() { sql "$db" "SELECT state FROM cases WHERE ref = '$ref'"; }
ncases() { sql "$db" "SELECT count(*) FROM cases"; }
acks() { sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack'"; }
notices() { sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'notification-message'"; }
# mail FILE FROM SUBJECT MSGID HEADERS BODY: HEADERS end each line with \n.
mail() {
	printf 'From: %s\nTo: client@example.test\nSubject: %s\nMessage-ID: <%s@example.test>\nDate: %s\n%s\n%s\n' \
	    "$2" "$3" "$4" "$(date -R)" "$5" "$6" | sed 's/$/\r/' > "$1"
}
n=0
# send ENVELOPE-SENDER FILE: one more inbound message, processed.
send() {
	n=$((n + 1))
	testbed_send "$1" client@example.test "$2"
	wait_for 20 processed $n
}

mail "$d/c1.eml" "Alice <alice@example.test>" "[Réclamation] facture fausse" c1 "" "Ma facture est fausse."
send alice@example.test "$d/c1.eml"
ref=$(sql "$db" "SELECT ref FROM cases WHERE type = 'claim'")
like "$ref" "^REC-[0-9]{4}-0001$" "a claim opens $ref"
is "$(state)" incomplete "incomplete: the firm is missing"
wait_for 20 testbed_mailbox_has staff1 1
nid=$(testbed_imap_fetch staff1 1 | tr -d '\r' | sed -n 's/^Message-Id: <\(.*\)>$/\1/p')

# --- Automatic mail: no case, no acknowledgement.
mail "$d/a1.eml" "Yahoo! Mail AntiSpam Feedback <feedback@arf.mail.example.net>" \
    "[Réclamation] Email Feedback Report for IP 192.0.2.1" a1 "MIME-Version: 1.0
Content-Type: multipart/report; boundary=\"arf\"
" "--arf
Content-Type: text/plain

This is an email abuse report for an email message from example.test.
--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Yahoo!-Mail-Feedback/2.0
Version: 0.1
Original-Mail-From: <recours@example.test>
Arrival-Date: $(date -R)

--arf
Content-Type: message/rfc822

From: Organisme <recours@example.test>
To: someone@example.net
Subject: [$ref] Accusé de réception
Message-ID: <returned@example.test>

Nous avons bien reçu votre réclamation.
--arf--"
send feedback@arf.mail.example.net "$d/a1.eml"
mail "$d/a2.eml" "annonces-request@lists.example.net" "Annonces Digest, Vol 3, Issue 7 (réclamation)" a2 \
    "MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
" "Send Annonces mailing list submissions to annonces@lists.example.net

Today's Topics:
   1. Réclamation sur le service (Jean)"
send annonces-bounces@lists.example.net "$d/a2.eml"
mail "$d/a3.eml" "Robot <robot@example.net>" "[Réclamation] rapport quotidien" a3 \
    "Auto-Submitted: auto-generated
" "Rapport généré automatiquement."
send robot@example.net "$d/a3.eml"
mail "$d/a4.eml" "Mail System <system@example.net>" "Plainte : message non remis" a4 "" \
    "Votre message n'a pas pu être remis."
send "" "$d/a4.eml"
like "$(sql "$db" "SELECT raw FROM inbound_raw WHERE inbound_id = $n")" "^Return-Path: <>" \
    "a message sent with a null envelope sender arrives with Return-Path: <>"
mail "$d/a5.eml" "Jean <jean@example.net>" "[annonces] Plainte contre tout le monde" a5 \
    "List-Id: Annonces <annonces.lists.example.net>
List-Post: <mailto:annonces@lists.example.net>
" "Un message à la liste."
send annonces-bounces@lists.example.net "$d/a5.eml"
is "$(ncases)" 1 "a feedback report without report-type, a digest from -request, Auto-Submitted, Return-Path <> and list mail open no case"
sleep 2
is "$(acks)" 1 "and get no acknowledgement (only the complaint's)"
is "$(sql "$db" "SELECT count(*) FROM outbox WHERE rcpt NOT LIKE '%@example.test'")" 0 \
    "nothing at all is sent to their senders"
is "$(sql "$db" "SELECT group_concat(message_id || '=' || automatic, '|') FROM (SELECT message_id, automatic FROM message WHERE case_id IS NULL ORDER BY id)")" \
    'a1@example.test=a feedback report (message/feedback-report)|a2@example.test=a list'"'"'s sender (*-request)|a3@example.test=Auto-Submitted other than "no" (RFC 3834)|a4@example.test=a null envelope sender (Return-Path: <>)|a5@example.test=list mail (List-Id)' \
    "each is kept, outside any case, with its reason"
like "$(grep 'inbound 3:' "$d/recoursd.log")" "automatic mail \(a list's sender \(\*-request\)\) from annonces-request@lists.example.net: kept, no case" \
    "the log says why"
out=$(ctl status)
like "$out" "^automatic +5$" "recoursctl status counts them"
is "$(ctl status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["automatic"])')" 5 "status --json too"
out=$(ctl automatic)
is "$(echo "$out" | grep -c '(no case)')" 5 "recoursctl automatic lists them"
like "$out" "feedback@arf.mail.example.net" "with the sender"
like "$out" "a feedback report \(message/feedback-report\): \[Réclamation\] Email Feedback" "the reason and the subject"
ctl automatic list --json > "$d/auto.json"
python3 -c 'import json, sys; rows = [json.loads(l) for l in open(sys.argv[1])]; sys.exit(len(rows) != 5 or rows[1]["reason"] != "a list'"'"'s sender (*-request)")' "$d/auto.json"
ok $? "recoursctl automatic list --json: one object per message"
out=$(ctl automatic bogus 2>&1); rc=$?
is "$rc" 2 "recoursctl automatic with a bad argument is a usage error"
out=$(ctl rules test "$d/a3.eml")
like "$out" "decision: keep it, in no case: automatic mail \(Auto-Submitted" "rules test says the same"

# --- A third party cannot move the case.
mail "$d/t1.eml" "Bob <bob@example.test>" "Re: [$ref] facture fausse" t1 "" "Entreprise : ACME SARL. Je confirme."
out=$(ctl rules test "$d/t1.eml")
like "$out" "sender: +third party \(the case does not move\)" "rules test: a third party's message moves nothing"
before=$(notices)
send bob@example.test "$d/t1.eml"
is "$(state)" incomplete "a third party with the reference in the subject does not complete the case"
like "$(sql "$db" "SELECT actor || ': ' || detail FROM event WHERE kind = 'third-party'")" \
    "^third party <bob@example.test>: a third party's message, neither the complainant nor a party \(#partie\)" \
    "the message is an event of the case, marked as a third party's"
is "$(sql "$db" "SELECT c.ref FROM message m JOIN cases c ON c.id = m.case_id WHERE m.message_id = 't1@example.test'")" "$ref" \
    "and kept in the case"
wait_found staff1 "Nouveau message d'un tiers" "staff receive it, its subject marked"
like "$mail" "ATTENTION : ce message vient d'un tiers \(bob@example.test\)" "and its text"
like "$mail" "Entreprise : ACME SARL" "with the third party's words"
sleep 1
is "$(sql "$db" "SELECT count(*) FROM outbox WHERE rcpt = 'bob@example.test'")" 0 "the third party gets nothing"

# --- The complainant, whatever the case of the address, still moves it.
mail "$d/c2.eml" "Alice <ALICE@Example.TEST>" "Re: [$ref] facture fausse" c2 "In-Reply-To: <c1@example.test>
" "Entreprise : ACME SARL"
send alice@example.test "$d/c2.eml"
is "$(state)" received "the complainant's reply completes the case (address matched without case)"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'complete'")" 1 "one 'complete' event"

# --- Staff decide and close; the decision letter goes to the complainant.
printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s] Nouveau dossier\r\nMessage-ID: <s1@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n#decision Votre réclamation est fondée : un avoir vous est accordé.\r\n#clore\r\n' \
    "$ref" "$nid" > "$d/s1.eml"
send staff1@example.test "$d/s1.eml"
is "$(state)" closed "staff's #decision and #clore close the case"
decision=$(sql "$db" "SELECT message_id FROM outbox WHERE kind = 'decision' AND case_id = (SELECT id FROM cases WHERE ref = '$ref')")
[ -n "$decision" ]; ok $? "a decision letter was sent ($decision)"

# --- An out-of-office answering the decision letter: an event, no reopening.
mail "$d/o1.eml" "Alice <alice@example.test>" "Réponse automatique : [$ref] Décision" o1 "Auto-Submitted: auto-replied
In-Reply-To: <$decision>
References: <$decision>
" "Je suis absente jusqu'au 5 janvier."
before=$(notices)
send alice@example.test "$d/o1.eml"
is "$(state)" closed "an out-of-office answering the decision letter does not reopen the case"
like "$(sql "$db" "SELECT actor || ': ' || detail FROM event WHERE kind = 'automatic'")" \
    '^automatic mail <alice@example.test>: automatic mail: Auto-Submitted other than "no" \(RFC 3834\) \(mailbox client\): .*kept, the case does not move$' \
    "it is an event of the case, with the reason"
is "$(sql "$db" "SELECT group_concat(kind) FROM event WHERE id > (SELECT max(id) FROM event WHERE kind = 'automatic')")" "" \
    "and the only one: no state change, no letter"
sleep 1
is "$(notices)" "$before" "staff are not mailed for an out-of-office"
is "$(acks)" 1 "nor is it answered"
like "$(ctl automatic)" "$ref" "recoursctl automatic names its case"
like "$(ctl status)" "automatic +6" "and status counts it"
out=$(ctl show "$ref")
like "$out" "automatic +automatic mail <alice@example.test>" "recoursctl show has it in the timeline"

# --- A third party on the closed case: kept, no reopening.
mail "$d/t2.eml" "Bob <bob@example.test>" "[$ref] je conteste" t2 "" "Rouvrez ce dossier."
before=$(notices)
send bob@example.test "$d/t2.eml"
is "$(state)" closed "a third party writing to the closed case does not reopen it"
is "$(ncases)" 1 "nor opens another"
wait_for 20 eval '[ "$(notices)" -gt "$before" ]'
ok $? "staff are told"

# --- The complainant's own message to the closed case reopens it (on_closed = reopen).
mail "$d/c3.eml" "Alice <alice@example.test>" "Re: [$ref] Décision" c3 "In-Reply-To: <$decision>
" "Je ne suis pas d'accord avec la décision."
send alice@example.test "$d/c3.eml"
is "$(state)" reopened "the complainant's reply reopens the closed case, as before"

# --- A party recorded with #partie is no third party.
printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s] Nouveau dossier\r\nMessage-ID: <s2@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n#partie contact@acme.example.test ACME SARL\r\n' \
    "$ref" "$nid" > "$d/s2.eml"
send staff1@example.test "$d/s2.eml"
mail "$d/p1.eml" "ACME <Contact@ACME.example.test>" "[$ref] notre réponse" p1 "" "Nous avons remboursé le client."
send contact@acme.example.test "$d/p1.eml"
is "$(sql "$db" "SELECT kind || ' ' || actor FROM event WHERE id = (SELECT max(id) FROM event WHERE actor LIKE '%acme%')")" \
    "message party <Contact@ACME.example.test>" "a party's message (#partie) is the party's, not a third party's"

# --- A bounce keeps its matching, and is automatic mail too.
ackid=$(sql "$db" "SELECT message_id FROM outbox WHERE kind = 'ack'")
mail "$d/b1.eml" "Mail Delivery System <MAILER-DAEMON@mx.example.net>" "Undelivered Mail Returned to Sender" b1 \
    "MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"
" "--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; alice@example.test
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

From: Organisme <recours@example.test>
Message-ID: <$ackid>
Subject: [$ref] Accusé de réception

--B--"
send "" "$d/b1.eml"
is "$(sql "$db" "SELECT c.ref || ' ' || m.automatic FROM message m JOIN cases c ON c.id = m.case_id WHERE m.message_id = 'b1@example.test'")" \
    "$ref a delivery status notification (message/delivery-status)" "a bounce joins the case of the mail it returns, marked automatic"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'undelivered'")" 1 "and is recorded as before"
like "$(ctl status)" "automatic +7" "status counts it"

# The chain still holds.
out=$(ctl verify 2>&1); rc=$?
is "$rc" 0 "recoursctl verify: the event chain is intact"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
