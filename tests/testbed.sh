# testbed.sh: the test bed for recoursd's integration tests (bash, sourced).
#
# tests/mailsystem.sh starts a private Dovecot (IMAP, IMAPS, LMTP) and
# Postfix (SMTP with STARTTLS and AUTH, SMTPS) on 127.0.0.1 with a test CA
# and bad certificates, in one temporary directory, and stops them by PID;
# its header documents every variable and configuration line.  This file
# adds what the tests need on top:
#
#   testbed_usable                 0 if the test bed can run here; else
#                                  $testbed_why says why (for a TAP SKIP)
#   testbed_mail_count USER        messages in USER's INBOX
#   testbed_mailbox_has USER N     INBOX holds N messages (for wait_for)
#   testbed_mailbox_seen USER N    exactly N of them carry \Seen
#   testbed_imap_append USER FILE...   APPEND raw files over IMAP, bytes kept
#   testbed_imap_delete_all USER   empty USER's INBOX over IMAP
#   testbed_imap_fetch USER N      print message N of USER's INBOX, read over
#                                  IMAPS with the test CA verified
#   testbed_headers USER           the header blocks of every message of
#                                  USER's INBOX, one after the other
#   testbed_dovecot_saw_user USER  0 if Dovecot logged any login attempt by USER
#   testbed_use_cert good|expired|wrongname|untrusted
#
# Ports: TESTBED_PORT_BASE defaults to one derived from the PID, moved on
# to the next free one, so that tests run in parallel (or next to a
# left-over instance) do not collide.

_tb_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_tb_here/mailsystem.sh"
# A stopped test bed removes its directory; TESTBED_CLEAN=0 keeps it (and
# its servers' logs) for a look after a failure.
export TESTBED_CLEAN=${TESTBED_CLEAN:-1}

_tb_base_free() {
	local off
	for off in 24 25 143 465 993; do
		testbed_port_open $(($1 + off)) && return 1
	done
	return 0
}

if [ -z "${TESTBED_PORT_BASE:-}" ]; then
	_tb_try=0
	TESTBED_PORT_BASE=$((12000 + ($$ % 40) * 1000))
	until _tb_base_free $TESTBED_PORT_BASE || [ $_tb_try -ge 40 ]; do
		TESTBED_PORT_BASE=$((12000 + (($$ + _tb_try + 1) % 40) * 1000))
		_tb_try=$((_tb_try + 1))
	done
fi
export TESTBED_PORT_BASE

testbed_usable() {
	testbed_why=
	if [ "$(id -u)" -ne 0 ]; then
		testbed_why="needs root: Postfix's master runs only as root"
	elif ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null; then
		testbed_why="dovecot-imapd, dovecot-lmtpd and postfix are not installed (contrib/dev.sh deps)"
	elif ! command -v python3 >/dev/null || ! command -v openssl >/dev/null; then
		testbed_why="python3 and openssl are needed"
	fi
	[ -z "$testbed_why" ]
}

testbed_mail_count() { testbed_count_mail "$1"; }

testbed_mailbox_has() { [ "$(testbed_count_mail "$1")" -ge "$2" ]; }

# Maildir keeps flags in the file name: ":2,S" is \Seen.
testbed_mailbox_seen() {
	local n
	n=$(find "$TESTBED_MAILDIR_ROOT/$1/cur" -type f -name '*:2,*S*' 2>/dev/null | wc -l)
	[ "$n" -eq "$2" ]
}

_TB_IMAP_PY='
import imaplib, ssl, sys
op, port, ca, user, pw = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL("localhost", int(port), ssl_context=ctx)
m.login(user, pw)
m.select("INBOX")
if op == "append":
    for path in sys.argv[6:]:
        with open(path, "rb") as f:
            data = f.read()
        typ, _ = m.append("INBOX", None, None, data)
        if typ != "OK":
            sys.exit("append %s: %s" % (path, typ))
elif op == "delete":
    if int(m.select("INBOX")[1][0]) > 0:
        m.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
        m.expunge()
elif op == "fetch":
    typ, data = m.fetch(sys.argv[6], "(BODY.PEEK[])")
    if typ != "OK" or not data or data[0] is None:
        sys.exit("fetch: no message %s" % sys.argv[6])
    sys.stdout.buffer.write(data[0][1])
elif op == "find":
    import email, email.policy, re
    typ, data = m.search(None, "ALL")
    for num in data[0].split():
        typ, msg = m.fetch(num, "(BODY.PEEK[])")
        raw = msg[0][1]
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        text = str(parsed.get("Subject", ""))
        if re.search(sys.argv[6], text):
            sys.stdout.buffer.write(raw)
            break
    else:
        sys.exit(1)
m.logout()
'

testbed_imap_append() {
	local user=$1
	shift
	python3 -c "$_TB_IMAP_PY" append "$TESTBED_IMAPS_PORT" "$TESTBED_CA" \
	    "$user" "$TESTBED_PASS" "$@"
}

testbed_imap_delete_all() {
	python3 -c "$_TB_IMAP_PY" delete "$TESTBED_IMAPS_PORT" "$TESTBED_CA" \
	    "$1" "$TESTBED_PASS"
}

testbed_imap_fetch() {
	python3 -c "$_TB_IMAP_PY" fetch "$TESTBED_IMAPS_PORT" "$TESTBED_CA" \
	    "$1" "$TESTBED_PASS" "$2"
}

testbed_headers() {
	local f
	for f in "$TESTBED_MAILDIR_ROOT/$1"/new/* "$TESTBED_MAILDIR_ROOT/$1"/cur/*; do
		[ -f "$f" ] && sed -e 's/\r$//' -e '/^$/q' "$f"
	done
	return 0
}

# testbed_imap_find USER REGEX: the first message whose decoded Subject
# matches REGEX (Python syntax), raw; fails when there is none.
testbed_imap_find() {
	python3 -c "$_TB_IMAP_PY" find "$TESTBED_IMAPS_PORT" "$TESTBED_CA" \
	    "$1" "$TESTBED_PASS" "$2" 2>/dev/null
}

# testbed_decode FILE: a mail's headers as they are, then its text body
# decoded (quoted-printable, base64, charset), for tests to match.
testbed_decode() {
	python3 -c '
import sys, email, email.policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
sys.stdout.write(raw.split(b"\r\n\r\n")[0].split(b"\n\n")[0].decode("utf-8", "replace").replace("\r", "") + "\n\n")
part = m.get_body(preferencelist=("plain",))
sys.stdout.write(part.get_content() if part is not None else "")
' "$1"
}

# testbed_letter FILE: the text of the letter on paper attached to the
# mail FILE (courrier-*.pdf, through pdftotext -layout).
testbed_letter() {
	python3 - "$1" <<'PY' | pdftotext -layout - -
import sys, email, email.policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
for part in m.iter_attachments():
    if (part.get_filename() or "").startswith("courrier-"):
        sys.stdout.buffer.write(part.get_payload(decode=True))
        break
PY
}

# Dovecot logs every login attempt, good or bad, with user=<NAME>.
testbed_dovecot_saw_user() {
	grep -q "user=<$1>" "$TESTBED_DIR/log/dovecot.log" 2>/dev/null
}

# "good" is the valid certificate (mailsystem.sh calls it "server").
eval "_tb_use_cert_orig() $(declare -f testbed_use_cert | tail -n +2)"
testbed_use_cert() {
	if [ "$1" = good ]; then
		_tb_use_cert_orig server
	else
		_tb_use_cert_orig "$1"
	fi
}

# testbed_up: in a test, skip (with the reason) where the test bed cannot
# run; else a scratch directory $d and a running test bed, both gone on
# exit.
testbed_up() {
	testbed_usable || skip_all "$testbed_why"
	scratch
	testbed_start >"$d/testbed.out" 2>&1 || {
		sed 's/^/# /' "$d/testbed.out"
		echo "Bail out! test bed did not start"
		exit 1
	}
	at_exit testbed_stop
}

# testbed_conf [extra lines]: $d/recoursd.conf for a daemon on the test
# bed: the client mailbox over IMAPS, SMTP with STARTTLS and AUTH, two
# staff members (staff1 in the secretariat, staff2 in quality) and the
# rules of $d/rules.
testbed_conf() {
	cat > "$d/recoursd.conf" <<EOC
organisation = { name = "Organisme"; address = "recours@example.test"; domain = "example.test"; };
database = "state/recoursd.db";
spool = "state";
rules = "rules";
templates = "$top_srcdir/templates";
staff = ( { address = "staff1@example.test"; name = "Sophie Martin"; role = "secretariat"; },
          { address = "staff2@example.test"; name = "Paul Durand"; role = "quality"; } );
staff_key = "0123456789abcdef-test-key";
reply_address = "client@example.test";
smtp = { host = "localhost"; port = $TESTBED_SMTP_PORT; security = "starttls";
    ca_file = "$TESTBED_CA"; user = "secretariat"; password = "$TESTBED_PASS"; };
mailboxes = ( { name = "client"; host = "localhost"; port = $TESTBED_IMAPS_PORT; ca_file = "$TESTBED_CA";
    user = "client"; password = "$TESTBED_PASS"; } );
$1
EOC
}

# testbed_claim_rules: $d/rules/00-test.conf with one type, claim (REC),
# tagged [Réclamation]: for the tests about mail, not about rules.
testbed_claim_rules() {
	mkdir -p "$d/rules"
	cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10; }
);
EOR
}

# processed N: at least N inbound messages of $db are processed.
processed() {
	[ "$(sql "$db" "SELECT count(*) FROM inbound WHERE state = 'processed'" 2>/dev/null)" -ge "$1" ]
}

# found USER REGEX: USER's first mail whose subject matches, in $d/found.eml.
found() { testbed_imap_find "$1" "$2" > "$d/found.eml"; }

# wait_found USER REGEX DESCRIPTION: a test that such a mail arrives within
# $wait_found_seconds (default 20), its description after
# $wait_found_prefix; the mail, decoded, in $mail.
wait_found() {
	wait_for "${wait_found_seconds:-20}" found "$1" "$2"
	ok $? "${wait_found_prefix:-}$3"
	mail=$(testbed_decode "$d/found.eml")
}

# daemon_start: recoursd -d -v on $d/recoursd.conf, logging to
# $d/recoursd.log; its PID in $pid; stopped by PID on exit.
daemon_start() {
	"$RECOURSD" -d -v -f "$d/recoursd.conf" >>"$d/recoursd.log" 2>&1 &
	pid=$!
	at_exit "kill_wait $pid"
}
