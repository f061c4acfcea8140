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
reply() {	# reply AUTH-RESULTS CONTENT-TYPE BODY
	n=$((n + 1))
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [REC-%s-0001] facture\r\nMessage-ID: <sa%d@example.test>\r\nIn-Reply-To: <%s>\r\n%sMIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n%s\r\n' \
	    "$year" $n "$nid" "${1:+Authentication-Results: $1\r\n}" "$2" "$3" > "$d/sa$n.eml"
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
like "$(cat "$d/recoursd.log")" "security: REC-$year-0001: a reply from staff1@example.test without a valid token" "each refusal is logged as a security event"
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
testbed_imap_delete_all alice
reply "mx.example.test; dkim=pass header.d=example.test" "text/html; charset=utf-8" "<html><body><p>Nous avons <b>corrigé</b> la facture.</p></body></html>"
wait_for 20 found alice "^Re: \[REC-$year-0001\]"
ok $? "an HTML-only reply is relayed"
body=$(testbed_decode "$d/found.eml")
like "$body" "Nous avons corrigé la facture" "as text"
if echo "$body" | grep -q "<b>"; then ok 1 "without tags"; else ok 0 "without tags"; fi
done_testing || { tail -30 "$d/recoursd.log" | sed 's/^/# log: /'; exit 1; }
