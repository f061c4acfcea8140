#!/bin/bash
# t_mailloop.sh: the test bed itself.  A message sent to client@ through
# the real MTA (Postfix, STARTTLS + AUTH) is read back over IMAPS with the
# test CA verified; each bad certificate is refused by a verifying client;
# stopping leaves no process behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_usable || skip_all "$testbed_why"
scratch
t0=$(date +%s%N)
testbed_start >"$d/testbed.out" 2>&1 ||
    { sed 's/^/# /' "$d/testbed.out"; echo "Bail out! test bed did not start"; exit 1; }
ok 0 "test bed started (Dovecot + Postfix, $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
at_exit testbed_stop
dovecot_pid=$TESTBED_DOVECOT_PID
postfix_pid=$TESTBED_POSTFIX_PID

marker="loop-$$-$(date +%s)"
printf 'From: alice@example.test\r\nTo: client@example.test\r\nSubject: =?UTF-8?Q?R=C3=A9clamation_test?=\r\nMessage-ID: <%s@example.test>\r\n\r\nbody %s\r\n' \
    "$marker" "$marker" > "$d/m.eml"
TESTBED_SEND_AUTH=1 testbed_send alice@example.test client@example.test "$d/m.eml"
ok $? "submitted through Postfix with STARTTLS and AUTH"
testbed_wait_mail client 1 10
ok $? "delivered to client's INBOX over LMTP"
got=$(testbed_imap_fetch client 1 2>&1)
like "$got" "Subject: =\?UTF-8\?Q\?R=C3=A9clamation_test\?=" "read back over IMAPS: the subject"
like "$got" "body $marker" "and the body"

for cert in expired wrongname untrusted; do
	testbed_use_cert "$cert" >/dev/null 2>&1
	out=$(testbed_imap_fetch client 1 2>&1)
	like "$out" "CERTIFICATE_VERIFY_FAILED" "a verifying client refuses the $cert certificate"
done
testbed_use_cert good >/dev/null 2>&1

t0=$(date +%s%N)
testbed_stop
ok $? "test bed stopped ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
# A stopped master may stay a zombie until init reaps it: not running.
left=$(ps -eo pid=,stat=,comm= | awk -v d="$dovecot_pid" -v p="$postfix_pid" \
    '($1 == d || $1 == p) && $2 !~ /^Z/')
is "$left" "" "no master process left"
left=$(ps -eo pid=,stat=,args= | awk -v dir="$TESTBED_DIR" -v self=$$ \
    'index($0, dir) && $2 !~ /^Z/ && $1 != self && !/awk/' | wc -l)
is "$left" 0 "no process left that names the test bed directory"
done_testing
