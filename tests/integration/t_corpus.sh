#!/bin/bash
# t_corpus.sh: every message of shared/corpus, APPENDed to a real Dovecot
# mailbox and fetched by recoursd: each is stored and then parsed or
# quarantined with a reason; none lost, the daemon never crashes; the
# automatic mail among them opens no case.  Then a limit is tightened to
# quarantine one on purpose, and recoursctl lists, shows and reprocesses
# it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

corpus=${RECOURSD_CORPUS:-$top_srcdir/../shared/corpus}
[ -d "$corpus" ] || skip_all "no corpus at $corpus (set RECOURSD_CORPUS)"
testbed_up

n=$(ls "$corpus"/*.eml | wc -l)
testbed_imap_append client "$corpus"/*.eml
is "$(testbed_mail_count client)" "$n" "all $n corpus messages appended"

db=$d/state/recoursd.db
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "$top_srcdir/rules";
templates = "$top_srcdir/templates";
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT;
    ca_file = "$TESTBED_CA"; user = "client"; password = "$TESTBED_PASS"; } );
EOC
"$RECOURSD" -d -f "$d/recoursd.conf" >"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
done_count() { sql "$db" "SELECT count(*) FROM inbound WHERE state IN ('processed', 'quarantined')" 2>/dev/null || echo 0; }
all_done() { [ "$(done_count)" = "$n" ]; }
wait_for 60 all_done
ok $? "all $n stored and then parsed or quarantined"
kill -0 $pid
ok $? "the daemon is still running"
is "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'quarantined' AND (reason IS NULL OR reason = '')")" 0 \
    "every quarantined message has a reason"
sql "$db" "SELECT reason FROM inbound WHERE state = 'quarantined'" | sed 's/^/# quarantined: /'
is "$(sql "$db" "SELECT count(*) FROM message")" "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'processed'")" \
    "one message row per parsed message"
is "$(sql "$db" "SELECT subject FROM message WHERE message_id = '55AE6D15.4010805@veritas-vos-liberabit.com'")" \
    "日本語メールテスト (testing Japanese emails)" "a Japanese subject, decoded"
is "$(sql "$db" "SELECT a.filename FROM attachment a JOIN message m ON m.id = a.message WHERE m.subject = 'message with non ASCII filename attachment'")" \
    "ديناصور.odt" "an RFC 2231 attachment name, decoded"
missing=0
for h in $(sql "$db" "SELECT sha256 FROM attachment"); do
	[ -f "$d/state/attachments/$(echo "$h" | cut -c1-2)/$h" ] || missing=$((missing + 1))
done
is "$missing" 0 "every recorded attachment is in the store"
# Automatic mail (test_autoreply checks which, message by message).
want=$(awk -F'\t' '$2 ~ /^(arf|autoreply|dsn|mdn|list)$/' "$corpus/CATALOG.tsv" | wc -l)
[ "$(sql "$db" "SELECT count(*) FROM message WHERE automatic IS NOT NULL")" -ge "$want" ]
ok $? "the catalogue's $want bounces, auto-replies, reports and list posts at least are kept as automatic mail"
is "$(sql "$db" "SELECT count(*) FROM message WHERE automatic IS NOT NULL AND case_id IS NOT NULL")" 0 \
    "and open no case"
# Idle, the parse threads give back what the burst held.
vm() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$pid/status; }
shrunk() { [ "$(vm VmRSS)" -lt $(( $(vm VmHWM) * 4 / 5 )) ]; }
wait_for 10 shrunk
ok $? "a second after the burst, memory is given back (RSS $(vm VmRSS) kB, peak $(vm VmHWM) kB)"
kill_wait $pid

# Quarantine on purpose: 5 MIME parts at most, then reprocess with more.
sed -i 's/^database/limits = { parts = 5; };\ndatabase/' "$d/recoursd.conf"
printf 'From: a@example.test\r\nSubject: many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n' > "$d/parts.eml"
for i in 1 2 3 4 5 6; do printf -- '--Z\r\nContent-Type: text/plain\r\n\r\npart %d\r\n' $i >> "$d/parts.eml"; done
printf -- '--Z--\r\n' >> "$d/parts.eml"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" inject "$d/parts.eml" --mailbox client 2>&1)
id=$(echo "$out" | sed -n 's/^queued .* as inbound message \([0-9]*\)$/\1/p')
"$RECOURSD" -d -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
pid=$!
at_exit "kill_wait $pid"
is_quarantined() { [ "$(sql "$db" "SELECT state FROM inbound WHERE id = $id")" = quarantined ]; }
wait_for 10 is_quarantined
ok $? "a message over the parts limit is quarantined"
kill_wait $pid
out=$("$RECOURSCTL" -f "$d/recoursd.conf" quarantine list 2>&1)
like "$out" "^ +$id +client +quarantined +too many MIME parts \(more than 5\)" "recoursctl quarantine list shows it with its reason"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" quarantine show "$id" 2>&1)
like "$out" "reason: +too many MIME parts" "quarantine show gives the details"
sed -i 's/parts = 5;/parts = 50;/' "$d/recoursd.conf"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" reprocess "$id" 2>/dev/null)
is "$out" "$id: processed" "after raising the limit, reprocess parses it"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" reprocess 999999 2>&1); rc=$?
is "$rc" 1 "reprocessing an unknown id fails"
like "$out" "no such inbound message" "with a clear message"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
