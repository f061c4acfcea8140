#!/bin/bash
# t_netfaults.sh: the network fails under the daemon.  A TCP proxy
# (tests/faultproxy.py) sits between recoursd and Dovecot or Postfix and
# breaks the first connection on purpose:
# - IMAP cut in the middle of a large literal: the message is fetched
#   again and stored once;
# - an IMAP server that stops answering mid-literal: the timeout holds,
#   the message is fetched again and stored once;
# - SMTP cut in the middle of DATA, and a server that accepts the
#   connection and says nothing: the letter is retried and delivered once;
# - an SMTP server that never answers, and recoursd killed (-9) while it
#   waits: the letter is not sent twice after the restart; it is failed
#   as in doubt, its case records it and staff are told.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
cat > "$d/rules/00-test.conf" <<'EOR'
types = (
	{ name = "claim"; label = { fr = "réclamation"; }; prefix = "REC";
	  tags = ( "réclamation" ); priority = 10; notify = "staff1@example.test"; }
);
EOR

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# proxy TARGET-PORT MODE BYTES: a fault proxy on $proxy_port, PID $proxy_pid.
proxy() {
	[ -n "${proxy_pid:-}" ] && kill_wait "$proxy_pid"
	proxy_port=$(free_port)
	rm -f "$d/proxy.ready"
	python3 "$top_srcdir/tests/faultproxy.py" "$proxy_port" "$1" "$2" "$3" \
	    "$d/proxy.ready" 2>>"$d/proxy.log" &
	proxy_pid=$!
	at_exit "kill_wait $proxy_pid"
	wait_for 10 test -e "$d/proxy.ready"
}
# conf IMAP-PORT SMTP-PORT: the daemon's configuration through them.
conf() {
	testbed_conf 'imap = { timeout = 3; backoff_max = 1; };'
	sed -i -e "s/port = $TESTBED_IMAPS_PORT;/port = $1;/" \
	    -e "s/port = $TESTBED_SMTP_PORT;/port = $2;/" "$d/recoursd.conf"
}
# claim N: a claim with a 300 kB attachment, delivered to client@.
claim() {
	{
		printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\n'
		printf 'Subject: [Réclamation] dossier %d\r\nMessage-ID: <net%d@example.test>\r\n' "$1" "$1"
		printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
		printf -- '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voici la pièce.\r\n'
		printf -- '--b\r\nContent-Type: application/octet-stream; name="piece%d.bin"\r\n' "$1"
		printf 'Content-Transfer-Encoding: base64\r\n\r\n'
		head -c 300000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
		printf -- '--b--\r\n'
	} > "$d/net$1.eml"
	testbed_imap_append client "$d/net$1.eml"
}
stored() { sql "$db" "SELECT count(*) FROM message WHERE message_id = 'net$1@example.test'"; }
processed_net() { [ "$(stored "$1")" -ge 1 ]; }

# --- IMAP cut in the middle of the literal.
proxy "$TESTBED_IMAPS_PORT" cut-down 60000
conf "$proxy_port" "$TESTBED_SMTP_PORT"
claim 1
daemon_start
wait_for 30 processed_net 1
ok $? "IMAP cut in the middle of a 400 kB literal: the message is fetched again"
grep -q 'cut after 60000 bytes down' "$d/proxy.log"
ok $? "(the proxy did cut the first connection)"
sleep 1
is "$(stored 1)" 1 "and stored once"
is "$(sql "$db" "SELECT count(*) FROM inbound")" 1 "one inbound row"

# --- An IMAP server that stops answering in the middle of the literal.
kill_wait $pid
proxy "$TESTBED_IMAPS_PORT" stall-down 60000
conf "$proxy_port" "$TESTBED_SMTP_PORT"
claim 2
t0=$(date +%s)
daemon_start
wait_for 40 processed_net 2
ok $? "IMAP server silent in the middle of a literal: the timeout holds and the message comes on a new connection"
grep -q 'stalled after 60000 bytes down' "$d/proxy.log"
ok $? "(the proxy did stall the first connection)"
echo "# fetched $(($(date +%s) - t0)) s after the start (imap.timeout = 3 s)"
sleep 1
is "$(stored 2)" 1 "and stored once"

# --- SMTP cut in the middle of DATA (the staff notification carries the
# 300 kB attachment: 100 kB from the client lands inside it).
kill_wait $pid
wait_for 20 testbed_mailbox_has staff1 2
testbed_imap_delete_all staff1
testbed_imap_delete_all alice
proxy "$TESTBED_SMTP_PORT" cut-up 100000
conf "$TESTBED_IMAPS_PORT" "$proxy_port"
daemon_start
claim 3
wait_for 30 grep -q 'cut after 100000 bytes up' "$d/proxy.log"
ok $? "SMTP cut in the middle of DATA"
# The retry waits a minute or more: move the clock on.
sleep 1
clock_run_at "2026-03-09 12:00"
kill -USR1 $pid
wait_for 30 testbed_mailbox_has staff1 1
ok $? "the letter is retried and delivered"
sleep 2
is "$(testbed_mail_count staff1)" 1 "once"
is "$(testbed_mail_count alice)" 1 "and the acknowledgement once"

# --- An SMTP server that accepts the connection and then says nothing:
# the timeout holds, and the letters go on a new connection later.
kill_wait $pid
testbed_imap_delete_all staff1
testbed_imap_delete_all alice
proxy "$TESTBED_SMTP_PORT" stall-down 0
conf "$TESTBED_IMAPS_PORT" "$proxy_port"
: > "$d/recoursd.log"
daemon_start
claim 5
wait_for 30 grep -q 'smtp: .*will retry' "$d/recoursd.log"
ok $? "a mail server that never greets: the SMTP timeout holds and the letters wait"
sleep 1
clock_run_at "2026-03-09 14:00"
kill -USR1 $pid
wait_for 30 testbed_mailbox_has alice 1
ok $? "they are retried on a new connection and delivered"
wait_for 20 testbed_mailbox_has staff1 1
sleep 2
is "$(testbed_mail_count alice) $(testbed_mail_count staff1)" "1 1" "once each"

# --- An SMTP server that never answers; recoursd killed while it waits.
kill_wait $pid
proxy "$TESTBED_SMTP_PORT" stall-down 0
conf "$TESTBED_IMAPS_PORT" "$proxy_port"
sed -i 's/imap = { timeout = 3;/imap = { timeout = 30;/' "$d/recoursd.conf"
daemon_start
claim 4
sending() { [ "$(sql "$db" "SELECT count(*) FROM outbox WHERE state = 'sending'")" -ge 1 ]; }
wait_for 30 sending
ok $? "a letter is with a silent mail server"
kill -9 $pid
wait $pid 2>/dev/null
kill_wait $proxy_pid
proxy_pid=
conf "$TESTBED_IMAPS_PORT" "$TESTBED_SMTP_PORT"
daemon_start
doubt() { [ "$(sql "$db" "SELECT count(*) FROM outbox WHERE state = 'failed' AND reply LIKE 'in doubt%'")" -ge 1 ]; }
wait_for 20 doubt
ok $? "after kill -9 and a restart, the letter is failed as in doubt"
ref=$(sql "$db" "SELECT ref FROM cases WHERE subject LIKE '%dossier 4'")
wait_found staff1 "Non distribué" "staff are told"
like "$mail" "in doubt" "that it may have been delivered"
is "$(sql "$db" "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$ref' AND o.state = 'sent'")" \
    "$(sql "$db" "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$ref' AND o.state = 'sent' AND o.attempts = 1")" \
    "no letter of that case was sent twice"
like "$(sql "$db" "SELECT group_concat(kind, ' ') FROM event e JOIN cases c ON c.id = e.case_id WHERE c.ref = '$ref'")" \
    "undelivered" "its case records it"

done_testing
