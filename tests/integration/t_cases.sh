#!/bin/bash
# t_cases.sh: cases opened and threaded from real mail (Postfix -> Dovecot
# -> recoursd): an incomplete claim completed by the complainant's reply,
# joining by reference and by In-Reply-To, the same message delivered to
# client@ and secretariat@ opening one case, triage of untagged mail, an
# appeal lodged too late flagged (not refused), forged tracking headers
# ignored, Reply-To kept beside From, and the event chain intact.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"

mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "appeal"; label = { fr = "appel"; }; prefix = "APP"; tags = ( "appel" );
	  priority = 30; on_closed = "answer";
	  admissibility = { within = "5 jours ouvrés";
	    date_pattern = "notifi\\S* le (\\d{1,2}/\\d{1,2}/\\d{4})"; }; },
	{ name = "complaint"; label = { fr = "plainte"; }; prefix = "PLA"; tags = ( "plainte" );
	  priority = 20; },
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10;
	  deadlines = ( { name = "response"; within = "72 heures"; } );
	  required = ( { name = "firm"; label = "le nom de l'entreprise concernée";
	                 pattern = "entreprise\\s*:"; } ); }
);
EOR
cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Test"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "rules";
templates = "$top_srcdir/templates";
mailboxes = (
  { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "client"; password = "$TESTBED_PASS"; role = "client"; },
  { name = "secretariat"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "secretariat"; password = "$TESTBED_PASS"; role = "secretariat"; }
);
EOC
out=$("$RECOURSD" -n -f "$d/recoursd.conf" 2>&1)
like "$out" "configuration and rules OK, 3 case type" "recoursd -n checks the rule files"

mail() {	# mail FILE MSGID SUBJECT BODY [EXTRA-HEADER]
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n%s\r\n%s\r\n' \
	    "$3" "$2" "Mon, 09 Mar 2026 10:00:00 +0100" "${5:+$5
}" "$4" | sed 's/$/\r/; s/\r\r$/\r/' > "$1"
}
daemon_start

mail "$d/1.eml" c1 "[Réclamation] Audit du 12 novembre" "Bonjour, l'audit s'est mal passé."
testbed_send alice@example.test client@example.test "$d/1.eml"
wait_for 20 processed 1
is "$(sql "$db" "SELECT ref || ' ' || state FROM cases")" "REC-$year-0001 incomplete" \
    "a claim without the required field opens REC-$year-0001, incomplete"
is "$(sql "$db" "SELECT missing FROM cases")" "le nom de l'entreprise concernée" "the missing item is recorded"

due1=$(sql "$db" "SELECT due_at FROM timer WHERE deadline = 'response'")
sleep 1
mail "$d/2.eml" c2 "Re: [Réclamation] Audit du 12 novembre" "Entreprise : ACME SARL" \
    "In-Reply-To: <c1@example.test>"
testbed_send alice@example.test client@example.test "$d/2.eml"
wait_for 20 processed 2
is "$(sql "$db" "SELECT count(*) || ' ' || state FROM cases")" "1 received" \
    "the reply joins the case (In-Reply-To) and completes it"
is "$(sql "$db" "SELECT kind FROM event WHERE kind = 'complete'")" "complete" "a 'complete' event"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'deadlines-restarted'")" 1 \
    "completing the case restarts its deadlines"
[ "$(sql "$db" "SELECT due_at FROM timer WHERE deadline = 'response'")" -gt "$due1" ]
ok $? "the response deadline (72 h) counts from the completion, later than from the opening"

mail "$d/3.eml" c3 "Complément REC-$year-0001" "Pièce jointe à suivre."
testbed_send bob@example.test client@example.test "$d/3.eml"
wait_for 20 processed 3
is "$(sql "$db" "SELECT count(DISTINCT case_id) FROM message")" 1 "a reference in the subject joins the case"

mail "$d/4.eml" c4 "[Plainte] auditeur" "Texte" "Reply-To: Bureau <bureau@example.test>"
testbed_send alice@example.test client@example.test,secretariat@example.test "$d/4.eml"
wait_for 20 processed 5
is "$(sql "$db" "SELECT count(*) FROM cases WHERE type = 'complaint'")" 1 \
    "one message to client@ and secretariat@ opens one case"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'duplicate'")" 1 "the second delivery is recorded"
is "$(sql "$db" "SELECT complainant_addr || ' / ' || reply_to FROM cases WHERE type = 'complaint'")" \
    "alice@example.test / bureau@example.test" "From and a different Reply-To are both kept"

mail "$d/5.eml" c5 "Question" "Bonjour" "X-Recoursd-Case: REC-$year-0001
X-Loop: recoursd@example.test"
testbed_send alice@example.test client@example.test "$d/5.eml"
wait_for 20 processed 6
is "$(sql "$db" "SELECT ref FROM cases ORDER BY id DESC LIMIT 1")" "TRI-$year-0001" \
    "untagged mail with forged tracking headers opens a triage case, joins nothing"

mail "$d/6.eml" c6 "[Appel] Décision" "Décision notifiée le 02/01/2020, je fais appel."
testbed_send alice@example.test client@example.test "$d/6.eml"
wait_for 20 processed 7
is "$(sql "$db" "SELECT ref || ' ' || out_of_time FROM cases WHERE type = 'appeal'")" "APP-$year-0001 1" \
    "an appeal lodged after 5 jours ouvrés is flagged out of time, not refused"
like "$(sql "$db" "SELECT detail FROM event WHERE kind = 'out-of-time'")" \
    "decision notified 02/01/2020: lodged AFTER the limit 2020-01-10T00:00:00\+01:00" \
    "with the limit computed in jours ouvrés"

# The chain: each event's prev is the hash of the one before.
broken=$(sql "$db" "SELECT count(*) FROM event e JOIN event p ON p.id = (SELECT max(id) FROM event WHERE id < e.id) WHERE e.prev <> p.hash")
is "$broken" 0 "the events form an unbroken hash chain ($(sql "$db" "SELECT count(*) FROM event") events)"

mail "$d/7.eml" c7 "Re: dossier" "Merci." "In-Reply-To: <c2@example.test>"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" rules test "$d/7.eml" 2>&1)
like "$out" "decision: joins case REC-$year-0001" "rules test: a new reply would join its case"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" rules test "$d/2.eml" 2>&1)
like "$out" "decision: already in case REC-$year-0001" "rules test: a stored message is recognised"
before=$(sql "$db" "SELECT count(*) FROM event")
"$RECOURSCTL" -f "$d/recoursd.conf" rules test --json "$d/1.eml" "$d/6.eml" > "$d/json" 2>&1
is "$(grep -c '^{"file"' "$d/json")" 2 "rules test --json: one object per file"
is "$(sql "$db" "SELECT count(*) FROM event")" "$before" "rules test writes nothing"
# SIGHUP: a broken rule file is refused and the running rules stay.
printf 'types = ( { name = "x"; prefix = "APP"; tags = ( "x" ); } );\n' > "$d/rules/50-broken.conf"
kill -HUP $pid
wait_for 5 grep -q "errors, keeping the running configuration" "$d/recoursd.log"
ok $? "SIGHUP with a broken rule file: refused, the running rules stay"
like "$(grep -A2 'keeping the running' "$d/recoursd.log")" "50-broken.conf:1: prefix \"APP\" is already used" \
    "the log names file:line"
mail "$d/8.eml" c8 "[Plainte] encore" "Texte"
testbed_send alice@example.test client@example.test "$d/8.eml"
wait_for 20 processed 8
is "$(sql "$db" "SELECT count(*) FROM cases WHERE type = 'complaint'")" 2 "the daemon still runs on the old rules"
printf 'types = ( { name = "lawsuit"; prefix = "JUR"; tags = ( "assignation" ); priority = 40; } );\n' \
    > "$d/rules/50-broken.conf"
kill -HUP $pid
wait_for 5 grep -q "reloaded" "$d/recoursd.log"
ok $? "a valid rule file is taken on SIGHUP"
mail "$d/9.eml" c9 "Assignation en justice" "Texte"
testbed_send alice@example.test client@example.test "$d/9.eml"
wait_for 20 processed 9
is "$(sql "$db" "SELECT ref FROM cases ORDER BY id DESC LIMIT 1")" "JUR-$year-0001" "and the new type is used at once"
rm "$d/rules/50-broken.conf"
kill_wait $pid
out=$("$RECOURSCTL" -f "$d/recoursd.conf" list 2>&1)
is "$(echo "$out" | grep -c -- "-$year-")" 6 "recoursctl list: the 6 cases"
like "$out" "^APP-$year-0001 +appeal +received .* !late$" "with the late appeal marked"
is "$("$RECOURSCTL" -f "$d/recoursd.conf" list --type claim --json | grep -c '"ref": "REC-')" 1 \
    "list --type claim --json"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" list --type nosuch 2>&1); rc=$?
is "$rc" 1 "list with an unknown type is an error"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" show "REC-$year-0001" 2>&1)
like "$out" "complete +recoursd" "recoursctl show: the timeline has the completion"
like "$out" "le nom de l'entreprise concernée|received" "and the case's state"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" show REC-1999-0001 2>&1); rc=$?
is "$rc" 1 "show of an unknown reference is an error"
like "$out" "no such case" "a clear one"

# The annual dashboard: a page a real browser renders, showing what stats
# computes.
out=$("$RECOURSCTL" -f "$d/recoursd.conf" dashboard --year "$year" -o "$d/dash.html" 2>&1); rc=$?
is "$rc" 0 "recoursctl dashboard writes the page"
like "$(cat "$d/dash.html")" "<svg role=\"img\"" "with inline SVG charts"
if grep -qE 'src=|href=|<script' "$d/dash.html"; then ok 1 "self-contained"; else ok 0 "self-contained: nothing to fetch, no script"; fi
out=$("$RECOURSCTL" -f "$d/recoursd.conf" dashboard --year "$year" -o /proc/nowhere/dash.html 2>&1); rc=$?
is "$rc" 1 "a path that cannot be written is an error"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	skip "the dashboard renders in a headless browser" "no chromium installed (apt-get install chromium)"
	skip "its figures equal those of stats" "no chromium installed"
else
	timeout 60 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$d/chromium" \
	    --dump-dom "file://$d/dash.html" > "$d/dom.html" 2> "$d/chromium.err"
	rc=$?
	grep -q "<svg" "$d/dom.html"
	ok $(( rc + $? )) "the dashboard renders in a headless browser ($(basename "$browser"))"
	"$RECOURSCTL" -f "$d/recoursd.conf" stats --year "$year" --json > "$d/stats.json"
	python3 - "$d/dom.html" "$d/stats.json" <<'PY' > "$d/compare.out"
import html.parser, json, sys
shown = {}
class P(html.parser.HTMLParser):
    cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.cur = (a["data-type"], int(a["data-month"]), a["data-field"]) if tag == "td" and "data-month" in a else None
    def handle_data(self, data):
        if self.cur is not None:
            shown[self.cur] = data.strip()
            self.cur = None
P().feed(open(sys.argv[1]).read())
bad = 0
for line in open(sys.argv[2]):
    row = json.loads(line)
    for field in ("received", "admissible", "founded", "decided", "closed",
                  "deadlines_met", "deadlines_missed", "corrective_actions",
                  "corrective_closed", "efficacy_checks"):
        if shown.get((row["type"], row["month"], field)) != str(row[field]):
            print("%s %s %s: page %s, stats %s" % (row["type"], row["month"], field,
                  shown.get((row["type"], row["month"], field)), row[field]))
            bad += 1
print("compared %d figures" % len(shown))
sys.exit(1 if bad or not shown else 0)
PY
	ok $? "its figures equal those of stats ($(tail -1 "$d/compare.out"))"
fi

out=$("$RECOURSCTL" -f "$d/recoursd.conf" verify 2>&1); rc=$?
is "$rc" 0 "recoursctl verify: the chain is intact"
sql "$db" "UPDATE event SET detail = 'edited by hand' WHERE id = 4"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" verify 2>&1); rc=$?
is "$rc" 1 "an edited event is caught"
like "$out" "event 4 was altered" "and named"
sql "$db" "DELETE FROM event WHERE id = 2"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" verify 2>&1)
like "$out" "event 3 does not follow the event before it" "a deleted event is caught at the next one"
done_testing || { tail -20 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
