#!/bin/bash
# t_commands_fuzz.sh: malformed staff commands, over real mail.  Staff
# reply to a notification with commands that are unknown, cut short, or
# whose argument is garbage (a date, an address, a type, an outcome), some
# written by hand, the rest drawn from a fixed seed.  Each reply gets a
# receipt that refuses it and says that nothing was done; the case does
# not move; the daemon never stops.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
sed 's/^		priority = 10;$/		priority = 10; notify = "staff1@example.test";/' \
    "$top_srcdir/rules/00-default.conf" > "$d/rules/00-default.conf"
testbed_conf
daemon_start

printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [Réclamation] facture\r\nMessage-ID: <cf0@example.test>\r\n\r\nMa facture est fausse.\r\n' > "$d/0.eml"
testbed_imap_append client "$d/0.eml"
wait_found staff1 "Nouveau dossier" "staff1 is notified of the new case"
nid=$(echo "$mail" | tr -d '\r' | sed -n 's/^Message-I[dD]: <\(.*\)>$/\1/p')
ref=$(sql "$db" "SELECT ref FROM cases")
state0=$(sql "$db" "SELECT state FROM cases")

# The commands: by hand, then drawn from the seed.
cmds=$d/commands
cat > "$cmds" <<'EOC'
#recevabl
#zz
#notification-decision 31/02/2026
#notification-decision demain
#notification-decision 2026-03-10
#transmettre personne
#transmettre <a@b
#transmettre "a b"@example.test
#assigner nobody@example.test
#assigner
#partie pas une adresse
#type inconnu
#decision
#incomplet
#cause
#action-corrective échéance 99/99/9999
EOC
awk 'BEGIN {
	srand(20261205)
	a = "abcdefghijklmnopqrstuvwxyz-"; junk = "abcdefghijklmnopqrstuvwxyz0123456789/<>@.,;:!?éèàç\"'\'' "
	split("notification-decision transmettre assigner partie type", withargs, " ")
	for (i = 0; i < 12; i++) {
		if (i % 2 == 0) {	# an unknown name
			n = "x"; len = 2 + int(rand() * 10)
			for (j = 0; j < len; j++) n = n substr(a, 1 + int(rand() * length(a)), 1)
			print "#" n
		} else {		# a known name, a garbage argument
			arg = ""; len = 1 + int(rand() * 40)
			for (j = 0; j < len; j++) {
				c = substr(junk, 1 + int(rand() * length(junk)), 1)
				if (c == "@") c = "%"	# never an address by chance
				arg = arg c
			}
			print "#" withargs[1 + int(rand() * 5)] " zz" arg
		}
	}
}' >> "$cmds"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf 'From: staff1@example.test\r\nTo: client@example.test\r\nSubject: Re: [%s] Nouveau dossier\r\nMessage-ID: <cf%d@example.test>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nMerci.\r\n' \
	    "$ref" "$n" "$nid" "$line" > "$d/r$n.eml"
done < "$cmds"
testbed_imap_append client $(seq -f "$d/r%g.eml" 1 "$n")
ok $? "$n replies with malformed commands are delivered"

receipts() { [ "$(testbed_mail_count staff1)" -ge $((n + 1)) ]; }
wait_for 60 receipts
ok $? "each gets a receipt"
bad=0
for i in $(seq 2 $((n + 1))); do
	text=$(testbed_imap_fetch staff1 "$i" > "$d/receipt.eml"; testbed_decode "$d/receipt.eml")
	case $text in
	*"Erreur : « #"*"Rien n'a été fait"*) ;;
	*) bad=$((bad + 1)); echo "$text" | grep -E '^(Subject|In-Reply-To):|#' | sed 's/^/# not refused: /' ;;
	esac
done
is "$bad" 0 "every receipt refuses its command and says nothing was done"
is "$(sql "$db" "SELECT state FROM cases")" "$state0" "the case did not move"
is "$(sql "$db" "SELECT count(*) FROM outbox WHERE kind NOT IN ('ack', 'notification', 'receipt')")" 0 \
    "no letter went out for them"
kill -0 $pid
ok $? "the daemon runs on"

done_testing
