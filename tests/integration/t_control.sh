#!/bin/bash
# t_control.sh: the control socket over the real test bed.  recoursctl
# inject hands the message to the running daemon, which acknowledges it
# at once and prints the case reference; an inject while the daemon is
# stopped is kept and processed at its start; status shows each
# mailbox's connection; reload and wake.  The socket is 0660 in the state
# directory, checks its peer, and survives garbage, huge or silent
# clients without growing; a stale socket is replaced on restart.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/testbed.sh"

testbed_up
db=$d/state/recoursd.db
sock=$d/state/recoursd.sock
clock_run_at "2026-03-09 10:00"
mkdir -p "$d/rules"
cp "$top_srcdir/rules/00-default.conf" "$d/rules/"
testbed_conf
ctl() { "$RECOURSCTL" -f "$d/recoursd.conf" "$@"; }
mkmail() {	# mkmail FILE MSGID
	printf 'From: Alice <alice@example.test>\r\nTo: client@example.test\r\nSubject: [RECLAMATION] facture %s\r\nMessage-ID: <%s@example.test>\r\nDate: Mon, 9 Mar 2026 10:00:00 +0100\r\n\r\nBonjour, voici ma r\303\251clamation.\r\n' "$2" "$2" > "$1"
}
# raw PAYLOAD-SCRIPT: a python client on the socket, printing the reply.
raw() {
	python3 - "$sock" "$1" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(sys.argv[1])
what = sys.argv[2]
t0 = time.time()
try:
    if what == "huge":
        s.sendall(struct.pack("!I", 0xffffffff) + b"x" * 4096)
    elif what == "garbage":
        s.sendall(struct.pack("!I", 6) + b"\x00\xff\x01ab\n")
    elif what == "unknown":
        s.sendall(struct.pack("!I", 9) + b"frobnicat")
    elif what == "reload":
        s.sendall(struct.pack("!I", 6) + b"reload")
    elif what == "silent":
        pass
    data = s.recv(65536)
except (ConnectionResetError, BrokenPipeError):
    data = b""
print("%s after %.1f s" % (data[4:].decode(errors="replace").replace("\n", " ") or "closed", time.time() - t0))
PY
}
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
acks() { sql "$db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'"; }
acked() { [ "$(acks)" -ge "$1" ]; }

# The daemon stopped: inject keeps the message, read-only commands work.
mkmail "$d/m0.eml" ctl-0
out=$(ctl inject "$d/m0.eml" --mailbox client 2>&1); rc=$?
is "$rc" 0 "inject with the daemon stopped succeeds"
like "$out" "queued .* as inbound message 1" "the message is stored"
like "$out" "recoursd is not running: it processes the message at its next start" "and says when it will be processed"
out=$(ctl status 2>&1); rc=$?
is "$rc" 0 "status works with the daemon stopped"
like "$out" "daemon +not running" "and says the daemon is not running"
like "$out" "^new +1$" "with the message waiting"
out=$(ctl reload 2>&1); rc=$?
is "$rc" 1 "reload with the daemon stopped is an error"

daemon_start
wait_for 10 test -S "$sock"
ok $? "the daemon listens on recoursd.sock in the state directory"
is "$(stat -c %a "$sock")" 660 "mode 0660"
grp=recoursd; getent group recoursd >/dev/null || grp=$(id -gn)
is "$(stat -c %G "$sock")" "$grp" "group $grp (recoursd, else the daemon's own)"
wait_for 20 acked 1
ok $? "the message injected while stopped is acknowledged at the start"

connected() { ctl status | grep -q "^mailbox *client: connected (IDLE)"; }
wait_for 20 connected
ok $? "status: the mailbox is connected, in IDLE"
out=$(ctl status --json)
echo "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); m = d["daemon"]["mailboxes"][0]; assert m["name"] == "client" and m["connected"] and m["idle"] and m["last_fetch"] > 0, d; assert d["next_timer"] > 0 and "outbox_waiting" in d'
ok $? "status --json: the mailbox, the outbox backlog and the next timer"
like "$(ctl status)" "outbox +[0-9]+ letter\(s\) waiting" "status shows the outbox backlog"

# inject while running: processed at once, acknowledged, the reference.
mkmail "$d/m1.eml" ctl-1
out=$(ctl inject "$d/m1.eml" --mailbox client 2>&1); rc=$?
is "$rc" 0 "inject with the daemon running"
like "$out" "^REC-2026-0002$" "prints the case reference"
wait_for 10 acked 2
ok $? "the acknowledgement is sent without waiting for a fetch"
mkmail "$d/m2.eml" ctl-2
out=$(ctl inject - --mailbox client < "$d/m2.eml" 2>&1); rc=$?
is "$rc" 0 "inject - reads the message from stdin (an MTA's pipe)"
like "$out" "REC-2026-0003" "and prints its reference"
out=$(ctl inject "$d/m2.eml" --mailbox client 2>&1)
like "$out" "^REC-2026-0003$" "injected again, it joins the same case, and says which"

out=$(ctl wake 2>&1); rc=$?
is "$rc" 0 "wake"
out=$(ctl reload 2>&1); rc=$?
is "$rc" 0 "reload"
like "$out" "reloaded" "says it reloaded"
cp "$d/recoursd.conf" "$d/good.conf"
echo 'colour = "blue";' >> "$d/recoursd.conf"
out=$(ctl reload 2>&1); rc=$?
is "$rc" 1 "reload of a broken configuration is refused"
like "$out" "recoursd.conf:[0-9]+: unknown option 'colour'" "with the error at its line"
like "$(raw reload)" "^error .*keeping the running configuration" "the daemon, asked directly, refuses it too and says why"
cp "$d/good.conf" "$d/recoursd.conf"
like "$(ctl status 2>&1)" "daemon +running" "and the daemon runs on"

# Bad clients: an error or a closed connection; the daemon goes on.
like "$(raw huge)" "^error request too large" "a huge request gets an error"
like "$(raw garbage)" "^error not a request" "garbage gets an error"
like "$(raw unknown)" "^error unknown request" "an unknown request gets an error"
out=$(raw silent)
like "$out" "^closed after ([4-6]\.|7\.0)" "a silent client is dropped after the timeout ($out)"
before=$(rss)
for i in $(seq 200); do
	python3 -c 'import socket, struct, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(struct.pack("!I", 0x7fffffff) + b"y" * 300)' "$sock" 2>/dev/null
done
silent=
for i in $(seq 30); do raw silent >/dev/null & silent="$silent $!"; done
sleep 0.5
out=$(ctl status 2>&1)
like "$out" "daemon +running" "with 30 silent clients connected, status still answers"
wait $silent
for i in $(seq 100); do raw garbage >/dev/null; done
after=$(rss)
[ "$after" -le $((before + 1024)) ]
ok $? "300 bad clients later, the daemon's memory did not grow (${before} kB, then ${after} kB)"
kill -0 "$pid"
ok $? "and it is still running"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	chmod 755 "$d" "$d/state"
	out=$(as_nobody /usr/bin/python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$sock" 2>&1)
	like "$out" "Permission denied" "a user outside the group cannot connect (mode 0660)"
	chmod 666 "$sock"
	out=$(as_nobody /usr/bin/python3 -c 'import socket, struct, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(999)[4:].decode().replace("\n", " "))' "$sock" 2>&1)
	like "$out" "error permission denied" "nor, should the mode be widened, get past the peer check"
	chmod 660 "$sock"
	chmod 700 "$d" "$d/state"
else
	skip "not root: cannot act as another user" ; skip "not root"
fi

# Stopped, then restarted: nothing lost, the socket goes and comes back.
kill_wait "$pid"
[ ! -e "$sock" ]; ok $? "a stopped daemon removes its socket"
mkmail "$d/m3.eml" ctl-3
out=$(ctl inject "$d/m3.eml" --mailbox client 2>&1); rc=$?
is "$rc" 0 "inject while stopped again"
like "$out" "not running" "says so"
daemon_start
wait_for 20 acked 4
ok $? "restarted, the daemon acknowledges it"
wait_for 10 test -S "$sock"
kill -9 "$pid"; wait "$pid" 2>/dev/null
[ -S "$sock" ]; ok $? "killed with -9, the socket is left behind"
daemon_start
wait_for 10 connected
ok $? "a new daemon replaces the stale socket and answers"
mkmail "$d/m4.eml" ctl-4
like "$(ctl inject "$d/m4.eml" --mailbox client 2>&1)" "^REC-2026-0005$" "and injects go on"
done_testing
