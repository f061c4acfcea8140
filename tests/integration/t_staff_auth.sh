#!/bin/bash
# t_staff_auth.sh: with staff_authserv_id, a staff reply acts only when
# our own mail server's Authentication-Results say DKIM or SPF passed
# (another server's say nothing); the refusal is a security event.  A
# staff reply's attachments go to the complainant; an HTML-only reply is
# relayed as text.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
# A clock running from Monday 9 March 2026, 10:00 in Paris, whatever the
# real date: cases are numbered in 2026.
year=2026
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
sed 's/^		priority = 10;$/		priority = 10; notify = "staff1@example.test";/' \
    "$top_srcdir/rules/00-default.conf" > "$d/rules/00-default.conf"
testbed_conf 'staff_authserv_id = "mx.example.test";'
daemon_start
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] facture\r\nMessage-ID: <sa0@example.test>\r\n\r\nMa facture est fausse.\r\n' > "$d/0.eml"
testbed_send alice@example.test client@example.test "$d/0.eml"
wait_for 20 found staff1 "Nouveau dossier"
ok $? "the case is notified"
nid=$(sed -n 's/^Message-Id: <\(.*\)>\r*$/\1/p' "$d/found.eml")
n=0
crlf=$'\r\n'
reply() {	# reply AUTH-RESULTS CONTENT-TYPE BODY
	n=$((n + 1))
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] facture\r\nMessage-ID: <sa%d@example.test>\r\nIn-Reply-To: <%s>\r\n%sMIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n%s\r\n' \
	    "$year" $n "$nid" "${1:+Authentication-Results: $1$crlf}" "$2" "$3" > "$d/sa$n.eml"
	testbed_send staff1@example.test client@example.test "$d/sa$n.eml"
}
refusals() { sql "$db" "SELECT count(*) FROM event WHERE kind = 'staff-refused'"; }

reply "" "text/plain; charset=utf-8" "#note sans authentification"
wait_for 20 processed 2
is "$(refusals)" 1 "no Authentication-Results: refused despite the token"
reply "evil.example; dkim=pass header.d=example.test" "text/plain; charset=utf-8" "#note résultat d'un autre serveur"
wait_for 20 processed 3
is "$(refusals)" 2 "another server's results are not trusted"
reply "mx.example.test; dkim=fail header.d=example.test; spf=softfail" "text/plain; charset=utf-8" "#note échec"
wait_for 20 processed 4
is "$(refusals)" 3 "our server's failed results: refused"
like "$(cat "$d/recoursd.log")" "security: REC-$year-0001: a reply from staff1@example.test refused" "each refusal is logged as a security event"
reply "mx.example.test; spf=pass smtp.mailfrom=example.test" "text/plain; charset=utf-8" "#note vérifié"
wait_for 20 processed 5
is "$(sql "$db" "SELECT detail FROM event WHERE kind = 'note'")" "vérifié" "an SPF pass from our server: the command runs"

reply "mx.example.test; dkim=pass header.d=example.test" "multipart/mixed; boundary=B" "--B
Content-Type: text/plain; charset=utf-8

Voici l'avoir.
--B
Content-Type: application/pdf; name=avoir.pdf
Content-Disposition: attachment; filename=avoir.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK
--B--"
wait_for 20 found alice "^Re: \[REC-$year-0001\]"
ok $? "the staff reply is relayed"
like "$(cat "$d/found.eml")" 'filename="?avoir.pdf' "with the staff member's attachment"
like "$(testbed_decode "$d/found.eml")" "Voici l'avoir" "and the text"
testbed_headers alice > "$d/alice-headers"
testbed_imap_delete_all alice
reply "mx.example.test; dkim=pass header.d=example.test" "text/html; charset=utf-8" "<html><body><p>Nous avons <b>corrigé</b> la facture.</p></body></html>"
wait_for 20 found alice "^Re: \[REC-$year-0001\]"
ok $? "an HTML-only reply is relayed"
body=$(testbed_decode "$d/found.eml")
like "$body" "Nous avons corrigé la facture" "as text"
if echo "$body" | grep -q "<b>"; then ok 1 "without tags"; else ok 0 "without tags"; fi

# --- Forgeries over real mail: each is refused and logged, the case is
# unchanged, and staff get one alert a case a day at most.
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] livraison\r\nMessage-ID: <sa-second@example.test>\r\n\r\nLa livraison est en retard.\r\n' > "$d/second.eml"
testbed_send alice@example.test client@example.test "$d/second.eml"
wait_for 20 found staff1 "^\[REC-$year-0002\] Nouveau dossier"
ok $? "a second case is notified"
nid2=$(sed -n 's/^Message-Id: <\(.*\)>\r*$/\1/p' "$d/found.eml")
good="mx.example.test; dkim=pass header.d=example.test"
m=0
# forge IN-REPLY-TO BODY AUTH-RESULTS...: from staff1, about case 1, with
# those Authentication-Results, topmost first, and the header $extra.
extra=
forge() {
	local irt=$1 body=$2 h=
	shift 2
	for v; do h+="Authentication-Results: $v$crlf"; done
	m=$((m + 1))
	printf 'From: Sophie Martin <staff1@example.test>\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] facture\r\nMessage-ID: <fg%d@example.test>\r\n%s%s%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
	    "$year" $m "${irt:+In-Reply-To: <$irt>$crlf}" "$h" "${extra:+$extra$crlf}" "$body" > "$d/fg$m.eml"
	testbed_send staff1@example.test client@example.test "$d/fg$m.eml"
	inbound=$((inbound + 1))
	wait_for 20 processed $inbound
}
# case_now: its state, and what staff did in it (timers fire on their own).
case_now() { sql "$db" "SELECT state || '/' || (SELECT count(*) FROM event e WHERE e.case_id = c.id AND e.actor LIKE 'staff%' AND e.kind NOT IN ('staff-refused', 'message')) FROM cases c WHERE ref = 'REC-$year-0001'"; }
alerts() { sql "$db" "SELECT count(*) FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'REC-$year-0001' AND e.kind = 'staff-alerted'"; }
warnings() { grep -c "security: REC-$year-0001: a reply from staff1@example.test refused" "$d/recoursd.log"; }
inbound=$(sql "$db" "SELECT count(*) FROM inbound")
wait_for 20 processed $inbound
before=$(case_now)
alerts0=$(alerts)
is "$alerts0" 1 "the refusals of the day gave staff one alert"
refused0=$(refusals)
warned0=$(warnings)

forge "" "#clore" "$good"
is "$(refusals)" $((refused0 + 1)) "a staff From: with no token: refused"
forge "$nid2" "#clore" "$good"
is "$(refusals)" $((refused0 + 2)) "a staff From: with a token copied from another case: refused"
forge "$nid" "#clore" "mx.example.test; dkim=none" "$good"
is "$(refusals)" $((refused0 + 3)) "our authserv-id added by the sender below our own: refused"
forge "$nid" "#clore" "mx.example.test; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example"
is "$(refusals)" $((refused0 + 4)) "a DKIM and SPF pass for another domain: refused"
# Whatever ids the complainant got, none is a staff token.
testbed_headers alice >> "$d/alice-headers"
if grep -Eqi 'n\.REC-[0-9]{4}-[0-9]{4,}\.' "$d/alice-headers"; then
	ok 1 "no mail the complainant received carries a staff token"
	grep -Ei 'n\.REC-' "$d/alice-headers" | sed 's/^/# /'
else
	ok 0 "no mail the complainant received carries a staff token"
fi
ids=$(grep -Eio '<[^<>]+@[^<>]+>' "$d/alice-headers" | tr -d '<>' | sort -u | tr '\n' ' ')
extra="References: $(for i in $ids; do printf '<%s> ' "$i"; done)"
forge "" "#clore" "$good"
extra=
is "$(refusals)" $((refused0 + 5)) "a staff From: quoting every id the complainant got: refused"
is "$(case_now)" "$before" "the case is unchanged"
is "$(warnings)" $((warned0 + 5)) "each forgery is logged as a security event"
is "$(alerts)" "$alerts0" "and staff got no more alerts that day"

# Three months on, the first notification's token has expired.
clock_run_at "2026-06-10 10:00"
testbed_imap_delete_all staff1
forge "$nid" "#note trop tard" "$good"
is "$(refusals)" $((refused0 + 6)) "a staff From: with an expired token: refused"
is "$(case_now)" "$before" "the case is unchanged"
wait_for 20 found staff1 "Compte rendu"
ok $? "staff get a receipt"
like "$(testbed_decode "$d/found.eml")" "trop ancienne" "which asks for a reply to a recent notification"
fresh=$(sed -n 's/^Message-Id: <\(.*\)>\r*$/\1/p' "$d/found.eml")
like "$fresh" "^n\.REC-$year-0001\.[0-9]+\.[0-9a-f]{8}\.[0-9a-f]{16}@example.test$" "and carries a fresh token"
is "$(alerts)" $((alerts0 + 1)) "one alert on a new day"
forge "$fresh" "#note à temps" "$good"
is "$(sql "$db" "SELECT count(*) FROM event WHERE kind = 'note' AND detail = 'à temps'")" 1 "a reply to the receipt's fresh token runs"
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
