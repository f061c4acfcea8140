#!/bin/bash
# t_purge.sh: retention.  recoursctl purge erases closed cases past the
# period (their mail, attachments, letters, who wrote what), keeps the
# counts the indicators read, removes the spool files and, through the
# daemon, the copies left on the IMAP server; the event chain still
# verifies, and an erasure without a purge is caught.  Dry run, a period
# shorter than the retention and a bad period change nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
# The clock stands still at Wednesday 4 March 2026, 10:00 in Paris, then
# moves years on; the spool files' own ages are real (touch -d).
start_at="2026-03-04 10:00"
year=2026
db=$d/state/recoursd.db
export RECOURSD_CLOCK_FILE=$d/clock
clock_at "$start_at"
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10;
	  deadlines = ( { name = "response"; within = "1 mois"; met_by = "#decision"; } ); },
	{ name = "appeal"; label = { fr = "appel"; }; prefix = "APP";
	  tags = ( "appel" ); priority = 20; retention = "10y"; }
);
EOR
testbed_conf 'retention = { keep = "5y"; };
alerts = { admin = "staff1@example.test"; };
limits = { stream_threshold = 1024; };'
sed -i 's/user = "client"; password = "\([^"]*\)"; }/user = "client"; password = "\1"; after = "seen"; }/' "$d/recoursd.conf"
ctl() { "$RECOURSCTL" -f "$d/recoursd.conf" "$@"; }
sum() { sqlite3 "$db" .dump | sha256sum; }
pad=$(printf 'Texte de la réclamation. %.0s' $(seq 80))
write() {	# write N SUBJECT BODY [IN-REPLY-TO]: a claim from alice, with an attachment
	printf 'From: Alice Martin <alice@example.test>\r\nTo: client@example.test\r\nSubject: %s\r\nMessage-ID: <p%s@example.test>\r\n%sMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n--b\r\nContent-Type: application/pdf; name=piece%s.pdf\r\nContent-Disposition: attachment; filename=piece%s.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n' \
	    "$2" "$1" "${4:+In-Reply-To: <$4>\r\n}" "$3
$pad" "$1" "$1" \
	    "$(printf '%%PDF-1.4 piece %s' "$1" | base64)" > "$d/m$1.eml"
	testbed_send alice@example.test client@example.test "$d/m$1.eml"
}
staff_reply() {	# staff_reply N REF IN-REPLY-TO BODY: staff1 answers a notification
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s]\r\nMessage-ID: <s%s@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$2" "$1" "$3" "$4" | sed 's/$/\r/; s/\r\r$/\r/' > "$d/s$1.eml"
	testbed_send staff1@example.test client@example.test "$d/s$1.eml"
}
notice_id() { echo "$mail" | sed -n 's/^Message-Id: <\(.*\)>$/\1/p'; }
daemon_start

write 1 "[Réclamation] Audit du 12 mars" "Mon numéro de téléphone est le 06 12 34 56 78."
wait_for 20 processed 1
wait_found staff1 "Nouveau dossier" "staff are notified of REC-$year-0001"
staff_reply 1 "REC-$year-0001" "$(notice_id)" "#note Mme Martin a rappelé.
#decision Réclamation fondée.
#clore"
wait_for 20 processed 2
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'REC-$year-0001'")" closed "REC-$year-0001 is decided and closed"
write 2 "[Réclamation] Une autre" "Toujours ouverte."
wait_for 20 processed 3
wait_for 20 testbed_mailbox_seen client 3
is "$(testbed_mail_count client)" 3 "the three messages are left on the server, seen"
# An appeal, whose type keeps its cases ten years.
write 4 "[Appel] Décision du comité" "Je fais appel de la décision."
wait_found staff1 "Nouveau dossier \(appel\)" "staff are notified of APP-$year-0001"
staff_reply 2 "APP-$year-0001" "$(notice_id)" "#decision Appel rejeté.
#clore"
wait_for 20 processed 5
is "$(sql "$db" "SELECT state FROM cases WHERE ref = 'APP-$year-0001'")" closed "APP-$year-0001 is closed too"
wait_for 20 testbed_mailbox_seen client 5

# The daemon is stopped while the clock moves years on; its queue of
# server deletions waits for it.
kill_wait $pid
stats_before=$(ctl stats --year "$year")
# A letter stuck in the queue (the server kept refusing it for years).
sql "$db" "INSERT INTO outbox (kind, case_id, mail_from, rcpt, message_id, data, queued_at, next_at) SELECT 'relay', id, 'recours@example.test', 'alice@example.test', 'stuck@example.test', X'41', opened_at, opened_at FROM cases WHERE ref = 'REC-$year-0001'"
closed_at=$(sql "$db" "SELECT closed_at FROM cases WHERE ref = 'REC-$year-0001'")
# Spool files older than a day may be swept; these are made to look old.
find "$d/state/raw" "$d/state/attachments" -type f -exec touch -d '3 days ago' {} +
nraw=$(find "$d/state/raw" -type f | wc -l)
spooled=$(sql "$db" "SELECT count(DISTINCT i.sha256) FROM inbound i JOIN message m ON m.inbound_id = i.id JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0001' AND i.id NOT IN (SELECT inbound_id FROM inbound_raw)")

# Four years on: nothing is due yet.
clock_at "@$((closed_at + 4 * 366 * 86400))"
out=$(ctl purge 2>&1)
like "$out" "0 case\(s\)" "four years after closing, nothing is purged"

# Bad input changes nothing.
clock_at "@$((closed_at + 5 * 366 * 86400))"
before=$(sum)
out=$(ctl purge --older-than 5x 2>&1); rc=$?
is "$rc" 1 "a bad period is refused"
like "$out" "5x.*give a period such as 5y" "with what to give"
out=$(ctl purge --older-than 1y 2>&1); rc=$?
is "$rc" 1 "a period shorter than the retention is refused"
like "$out" "shorter than the retention \(5y, .*recoursd.conf:[0-9]+\)" "naming the configured retention, file:line"
out=$(ctl purge --dry-run 2>&1); rc=$?
is "$rc" 0 "a dry run succeeds"
like "$out" "dry run, nothing changed" "says nothing changed"
like "$out" "^  REC-$year-0001$" "and names the case it would purge"
like "$out" "1 case\(s\), 2 message\(s\), 1 attachment\(s\)" "with what would go"
is "$(sum)" "$before" "a dry run, a bad period and a refused one change nothing"

# Five years on: the first case goes, the open one stays.
out=$(ctl purge 2>&1); rc=$?
is "$rc" 0 "purge succeeds"
like "$out" "purged: closed before .*retention 5y, anonymise" "its report"
like "$out" "REC-$year-0001" "names the purged case"
like "$out" "type appeal: its own retention, 10y" "says which type keeps its own retention"
case $out in *APP-$year-0001*) ok 1 "the appeal, kept ten years, stays" ;; *) ok 0 "the appeal, kept ten years, stays" ;; esac
case $out in *REC-$year-0002*) ok 1 "and not the open one" ;; *) ok 0 "and not the open one" ;; esac
is "$(sql "$db" "SELECT count(*) FROM cases WHERE purged_at IS NOT NULL")" 1 "one case is marked purged"
is "$(sql "$db" "SELECT coalesce(complainant_addr, '') || coalesce(subject, '') FROM cases WHERE ref = 'REC-$year-0001'")" "" \
    "its complainant and subject are erased"
is "$(sql "$db" "SELECT count(*) FROM message m JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0001' AND (m.body IS NOT NULL OR m.from_addr IS NOT NULL OR m.subject IS NOT NULL)")" 0 \
    "its messages keep no sender, subject or text"
is "$(sql "$db" "SELECT count(*) FROM attachment a JOIN message m ON m.id = a.message JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0001'")" 0 \
    "its attachments are gone"
is "$(sql "$db" "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = 'REC-$year-0001' AND (length(data) > 0 OR rcpt <> '')")" 0 \
    "its letters keep no text and no recipient"
is "$(sql "$db" "SELECT count(*) FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0001' AND (e.actor || coalesce(e.detail, '') LIKE '%alice%' OR e.actor || coalesce(e.detail, '') LIKE '%staff1%' OR e.detail LIKE '%Martin%')")" 0 \
    "its events name no one"
is "$(sql "$db" "SELECT count(*) FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0002' AND e.actor LIKE '%@%'")" 1 \
    "the open case keeps its events"
is "$(sql "$db" "SELECT count(*) FROM message m JOIN cases c ON c.id = m.case_id WHERE c.ref = 'REC-$year-0002' AND body LIKE '%ouverte%'")" 1 \
    "and its message"
sqlite3 "$db" .dump > "$d/dump.sql"
is "$(grep -c "06 12 34 56 78\|Mme Martin" "$d/dump.sql")" 0 "the database holds neither the phone number nor the staff note"
is "$(grep -c 'piece1' "$d/dump.sql")" 0 "nor the attachment's name"
is "$spooled" 1 "the complaint (the bigger message) was in the spool"
is "$(find "$d/state/raw" -type f | wc -l)" $((nraw - spooled)) "it is removed from the spool"
is "$(find "$d/state/attachments" -type f -name '*' | xargs -r grep -l 'piece 1' | wc -l)" 0 "and its attachment"
is "$(ctl stats --year "$year")" "$stats_before" "the indicators are the same as before"
out=$(ctl show REC-$year-0001 2>&1)
like "$out" "purged: " "show says the case was purged"
like "$out" "(erased)" "and shows erased actors as such"
out=$(ctl verify 2>&1); rc=$?
is "$rc" 0 "the event chain still verifies"
like "$out" "chain intact: [0-9]+ event\(s\), [0-9]+ erased by a purge" "and says how many events were erased"
is "$(sql "$db" "SELECT state || ' ' || rcpt || ' ' || length(data) FROM outbox WHERE message_id = 'stuck@example.test'")" "failed  0" \
    "a letter still queued for the case fails, emptied: it is never sent"
out=$(ctl purge 2>&1)
like "$out" "0 case\(s\), 0 message" "a second purge finds nothing more"
is "$(ctl outbox list sent --json | python3 -c 'import json, sys; print(sum(1 for l in sys.stdin if json.loads(l)["rcpt"] == ""))')" 4 \
    "outbox list --json: the purged case's four letters keep no recipient"

# The daemon deletes the copies left on the server when it next wakes.
is "$(sql "$db" "SELECT count(*) FROM imap_purge")" 2 "two server copies are queued for deletion"
clock_at "$start_at"
daemon_start
write 3 "[Réclamation] Réveil" "Un nouveau message."
wait_for 20 processed 6
wait_for 20 eval '[ "$(sql "$db" "SELECT count(*) FROM imap_purge")" = 0 ]'
ok $? "the daemon deletes them"
is "$(testbed_mail_count client)" 4 "the server keeps the messages of the cases not purged"
testbed_imap_find client "Audit du 12 mars" >/dev/null
is "$?" 1 "the purged claim is no longer on the server"

# Ten years on, the appeal goes too.
closed_app=$(sql "$db" "SELECT closed_at FROM cases WHERE ref = 'APP-$year-0001'")
clock_at "@$((closed_app + 9 * 366 * 86400))"
out=$(ctl purge --older-than 6y 2>&1)
case $out in *APP-$year-0001*) ok 1 "nine years on, --older-than 6y does not cut the appeal's ten years short" ;; *) ok 0 "nine years on, --older-than 6y does not cut the appeal's ten years short" ;; esac
clock_at "@$((closed_app + 10 * 366 * 86400))"
out=$(ctl purge 2>&1)
like "$out" "^  APP-$year-0001$" "ten years on, the appeal is purged"
like "$(sql "$db" "SELECT detail FROM event WHERE kind = 'purged' ORDER BY id DESC LIMIT 1")" "after 10y closed" \
    "its event names its own retention"
clock_at "$start_at"

# An event erased by hand, outside a purge, is caught.
sql "$db" "UPDATE event SET detail = NULL WHERE id = (SELECT min(e.id) FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0002' AND detail IS NOT NULL)"
out=$(ctl verify 2>&1); rc=$?
is "$rc" 1 "an erasure outside a purge breaks the chain"
like "$out" "was erased, but no purge of its case follows it" "and is named"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
