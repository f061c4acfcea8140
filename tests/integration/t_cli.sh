#!/bin/bash
# t_cli.sh: recoursd and recoursctl on the command line: configuration
# checks with file:line errors, bad options, bad database paths, a newer
# database refused with nothing written, inject / quarantine / reprocess.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

scratch
write_conf "$d"

out=$("$RECOURSD" -n -f "$d/recoursd.conf" 2>&1); rc=$?
is "$rc" 0 "recoursd -n accepts a valid configuration"
like "$out" "configuration and rules OK, 3 case type\(s\)" "recoursd -n says so, with the rules it read"

printf 'colour = "blue";\nimap = { timeout = "x"; };\n' >> "$d/recoursd.conf"
out=$("$RECOURSD" -n -f "$d/recoursd.conf" 2>&1); rc=$?
is "$rc" 1 "recoursd -n rejects unknown and mistyped options"
like "$out" "recoursd.conf:7: unknown option 'colour'" "error names file:line of the unknown option"
like "$out" "recoursd.conf:8: 'timeout' must be a whole number" "every error of the file in one run"

# The shipped sample, once its password file exists, is valid as it is.
echo secret > "$d/client.password"
sed -e "s|/etc/recoursd/client.password|$d/client.password|" \
    -e "s|^# rules = .*|rules = \"$top_srcdir/rules\";|" \
    -e "s|^# templates = .*|templates = \"$top_srcdir/templates\";|" \
    "$top_srcdir/contrib/recoursd.conf" > "$d/sample.conf"
out=$("$RECOURSD" -n -f "$d/sample.conf" 2>&1); rc=$?
is "$rc" 0 "the sample configuration passes recoursd -n"
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/#   /'
rm "$d/client.password"
out=$("$RECOURSD" -n -f "$d/sample.conf" 2>&1)
line=$(grep -n 'password_file = ' "$d/sample.conf" | head -1 | cut -d: -f1)
like "$out" "sample.conf:$line: Failed to open file .*client.password" "a missing password file is one error at its line"
is "$(echo "$out" | wc -l)" 1 "and only one"

printf 'organisation = { name = "x"; \n' > "$d/broken.conf"
out=$("$RECOURSD" -n -f "$d/broken.conf" 2>&1); rc=$?
is "$rc" 1 "a malformed file fails"
like "$out" "broken.conf:[0-9]+: syntax error" "syntax error has file:line"

out=$("$RECOURSD" -n -f "$d/absent.conf" 2>&1); rc=$?
is "$rc" 1 "a missing configuration fails"
like "$out" "absent.conf: No such file or directory" "and says which file"

out=$("$RECOURSD" -x 2>&1); rc=$?
is "$rc" 2 "an unknown option is a usage error"
like "$out" "usage: recoursd" "with the usage line"

out=$("$RECOURSCTL" --help 2>&1); rc=$?
is "$rc" 0 "recoursctl --help"
like "$out" "inject FILE.eml\|- --mailbox NAME" "help lists the commands"
is "$(echo "$out" | awk 'length($0) > 79' | wc -l)" 0 "and fits an 80-column terminal"
# Help never reads a file: it works where nothing is configured.
out=$("$RECOURSCTL" -h 2>&1); rc=$?
is "$rc" 0 "recoursctl -h"
out=$("$RECOURSD" -h 2>&1); rc=$?
is "$rc" 0 "recoursd -h prints its usage and exits 0"
like "$out" "usage: recoursd" "with the usage line"
bad=0
for c in version check status list show export stats dashboard verify purge \
    rules deadline inject outbox quarantine automatic reprocess reload wake; do
	out=$("$RECOURSCTL" -f "$d/absent.conf" "$c" --help 2>&1); rc=$?
	case $out in "usage: recoursctl [-f file] $c"*) ;; *) rc=9 ;; esac
	[ "$rc" -eq 0 ] || { bad=1; echo "# $c --help: $rc: $out"; }
	[ "$(echo "$out" | awk 'length($0) > 79' | wc -l)" -eq 0 ] || bad=1
done
ok $bad "every CMD --help prints its usage and exits 0, with no configuration"
out=$(strace -f -e trace=open,openat "$RECOURSCTL" -f "$d/absent.conf" list --help 2>&1 >/dev/null)
if [ $? -eq 127 ] || ! command -v strace >/dev/null; then
	skip "strace is not installed"
else
	echo "$out" | grep -E 'open(at)?\(' | grep -vE '"/(lib|usr|proc|sys|etc/ld\.so)|ENOENT' > "$d/opened"
	[ ! -s "$d/opened" ]; ok $? "list --help opens no file of ours"
	sed 's/^/#   /' "$d/opened"
fi
out=$("$RECOURSCTL" -f "$d/absent.conf" deadline 2026-12-18T16:30 "5 jours ouvrés" 2>"$d/err"); rc=$?
is "$rc" 0 "deadline works with no configuration at all"
is "$out" "2026-12-29T00:00:00+01:00" "on the French calendar (25 December skipped)"
like "$(cat "$d/err")" "no configuration; the French calendar alone" "and says so on stderr"
out=$("$RECOURSCTL" -f "$d/absent.conf" list 2>&1); rc=$?
is "$rc" 1 "a command that needs the configuration fails without it"
like "$out" "absent.conf" "naming the file"

# Neither deadline, rules test nor check reads a secret.
write_conf "$d" 'mailboxes = ( { name = "client"; host = "127.0.0.1"; security = "none"; user = "u"; password_file = "/nonexistent/imap.password"; } );
smtp = { host = "127.0.0.1"; port = 25; security = "none"; user = "u"; password_file = "/nonexistent/smtp.password"; };'
out=$("$RECOURSCTL" -f "$d/recoursd.conf" check 2>&1); rc=$?
is "$rc" 0 "check passes with unreadable password files"
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/#   /'
out=$("$RECOURSCTL" -f "$d/recoursd.conf" deadline 2026-12-18T16:30 "5 jours ouvrés" 2>&1); rc=$?
is "$rc" 0 "so does deadline"
printf 'From: a@example.test\r\nSubject: [RECLAMATION] x\r\nMessage-ID: <s@x>\r\n\r\nx\r\n' > "$d/rt.eml"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" rules test "$d/rt.eml" 2>&1); rc=$?
is "$rc" 0 "and rules test"
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/#   /'
out=$("$RECOURSD" -n -f "$d/recoursd.conf" 2>&1); rc=$?
is "$rc" 1 "the daemon, which connects, still needs them"
like "$out" "imap.password" "and names the file"

out=$("$RECOURSCTL" version 2>&1)
like "$out" "^recoursctl [0-9.]+ \(database schema [0-9]+\)$" "recoursctl version"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" frobnicate 2>&1); rc=$?
is "$rc" 2 "an unknown command is a usage error"

write_conf "$d"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" status 2>&1); rc=$?
is "$rc" 1 "status without a database fails"
like "$out" "no database there" "and says why"
[ ! -e "$d/state/recoursd.db" ]; ok $? "nothing was created"

write_conf "$d" 'mailboxes = ( { name = "client"; host = "127.0.0.1"; security = "none"; user = "u"; password = "p"; } );'
sed -i 's|^database = .*|database = "/proc/nonexistent/r.db";|' "$d/recoursd.conf"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" inject /dev/null --mailbox client 2>&1); rc=$?
is "$rc" 1 "an unusable database path fails"
like "$out" "/proc/nonexistent/r.db" "naming the path"

write_conf "$d" 'mailboxes = ( { name = "client"; host = "127.0.0.1"; security = "none"; user = "u"; password = "p"; } );'
mail="$d/complaint.eml"
printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: =?UTF-8?Q?R=C3=A9clamation?= dossier\r\nMessage-ID: <cli-1@example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nBonjour,\r\n' > "$mail"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" inject "$mail" --mailbox client 2>&1); rc=$?
is "$rc" 0 "inject queues a message"
like "$out" "queued .* as inbound message 1" "and prints its id"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" purge --older-than 1y 2>&1); rc=$?
is "$rc" 1 "purge shorter than the default retention is refused"
like "$out" "retention \(5y, the default\): .*set retention.keep first" "naming the default, with what to do"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" inject "$mail" --mailbox nosuch 2>&1); rc=$?
is "$rc" 1 "inject into an unknown mailbox fails"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" status 2>&1)
like "$out" "^new +1$" "status counts the new message"
out=$("$RECOURSCTL" -f "$d/recoursd.conf" status --json 2>&1)
is "$(echo "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["new"])')" 1 "status --json, for scripts"
for l in "outbox list" "quarantine list"; do
	out=$("$RECOURSCTL" -f "$d/recoursd.conf" $l --json 2>&1); rc=$?
	is "$rc" 0 "$l --json"
	echo "$out" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin if l.strip()]'
	ok $? "$l --json prints JSON lines"
done
out=$("$RECOURSCTL" -f "$d/recoursd.conf" status --bogus 2>&1); rc=$?
is "$rc" 2 "an unknown option is a usage error"

mkdir -p "$d/badrules" && echo 'types = ( { name = ; } );' > "$d/badrules/00.conf"
sed "s|^rules = .*|rules = \"$d/badrules\";|" "$d/recoursd.conf" > "$d/badrules.conf"
out=$("$RECOURSCTL" -f "$d/badrules.conf" inject "$mail" --mailbox client 2>&1); rc=$?
is "$rc" 0 "inject stores the message even when a rule file is broken"
out=$("$RECOURSCTL" -f "$d/badrules.conf" check 2>&1); rc=$?
is "$rc" 1 "which check reports"
sqlite3 "$d/state/recoursd.db" "PRAGMA user_version = 99" 2>/dev/null
before=$(md5sum < "$d/state/recoursd.db")
out=$("$RECOURSCTL" -f "$d/recoursd.conf" status 2>&1); rc=$?
is "$rc" 1 "a database newer than the binary is refused"
like "$out" "schema version 99 is newer than this recoursd" "with a clear message"
is "$(md5sum < "$d/state/recoursd.db")" "$before" "and nothing is written"

done_testing
