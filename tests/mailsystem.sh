#!/bin/bash
# (The project's own copy of shared/testbed/mailsystem.sh: a fresh checkout has
# no shared/.  tests/testbed.sh wraps it with what recoursd's tests need.)
# mailsystem.sh — start/stop a private, complete mail system on loopback for tests:
# Dovecot (IMAP, IMAPS, LMTP, SASL) + Postfix (SMTP with STARTTLS and AUTH, implicit-TLS
# SMTP) + a fresh test CA, several users in the domain example.test.
#
# Everything lives in one temporary directory: configuration, queue, sockets, state,
# certificates, mail and logs. System services and /etc configuration are neither
# used nor touched (of /etc/postfix, only dynamicmaps.cf is read; both servers run as
# the stock system users dovecot/dovenull/postfix). Outbound mail is impossible: a
# recipient outside example.test is refused at RCPT (its transport is `error`), and
# Postfix never uses DNS.
#
# Needs (Debian 12): dovecot-imapd dovecot-lmtpd postfix openssl python3.
#   Install without configuring or starting the system Postfix:
#     echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
#     DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
#         dovecot-imapd dovecot-lmtpd postfix openssl python3
# Postfix's master can only be started by root. Started as non-root, the MTA is left
# out (TESTBED_MTA=none): Dovecot alone runs, and testbed_send delivers over LMTP.
#
# Usage as a command:
#   ./mailsystem.sh start [DIR]   -> prints one `export TESTBED_…=…` line (see below)
#        use:  tb=$(./mailsystem.sh start) || exit 1; eval "$tb"
#        (not `eval "$(./mailsystem.sh start)"`: eval would hide a failed start)
#   ./mailsystem.sh stop [DIR]    -> stops what runs in DIR (default $TESTBED_DIR)
#   ./mailsystem.sh logs [DIR]    -> tail of every log
#
# Usage as a library (bash; do not source dovecot.sh in the same shell, the function
# names overlap):
#   . ./mailsystem.sh
#   testbed_start [DIR] || exit 1          # sets and exports the TESTBED_* variables
#   trap testbed_stop EXIT                 # keeps the script's own exit status
#   testbed_send FROM TO FILE              # submit FILE (or - for stdin) over SMTP;
#                                          # TO may list several addresses "a@x,b@x"
#       TESTBED_SEND_TLS=1  …              # STARTTLS, certificate checked against the CA
#       TESTBED_SEND_AUTH=1 …              # STARTTLS + AUTH PLAIN as FROM's local part
#   testbed_wait_mail USER [COUNT=1] [TIMEOUT=10]   # until USER's INBOX maildir
#                                          # (new/ + cur/) holds >= COUNT messages
#   testbed_count_mail USER                # prints that number
#   testbed_use_cert NAME                  # serve tls/NAME.pem on IMAPS, IMAP STARTTLS and
#                                          # SMTP STARTTLS/SMTPS: server expired wrongname
#                                          # untrusted (reloads both servers, waits until
#                                          # the new certificate is served)
#   testbed_logs [LINES=20]                # tail of each log to stderr
#   testbed_stop [DIR]                     # stop everything (by PID), idempotent
#   testbed_doveadm ARGS…   testbed_postconf ARGS…   testbed_postqueue ARGS…
#
# Variables exported by a start:
#   TESTBED_DIR           the directory below          TESTBED_HOST=127.0.0.1
#   TESTBED_DOMAIN        example.test                 TESTBED_USERS  "client secretariat …"
#   TESTBED_PASS          password of every user (IMAP login: "client" or
#                         "client@example.test")
#   TESTBED_IMAP_PORT     IMAP (STARTTLS offered)      TESTBED_IMAPS_PORT  implicit TLS
#   TESTBED_LMTP_PORT     Dovecot LMTP over TCP        TESTBED_LMTP_SOCKET Dovecot LMTP socket
#   TESTBED_SMTP_PORT     Postfix smtpd, STARTTLS offered, AUTH only after STARTTLS
#   TESTBED_SMTPS_PORT    Postfix smtpd, implicit TLS  (both empty when TESTBED_MTA=none)
#   TESTBED_MTA           postfix | none
#   TESTBED_CA            test CA certificate (PEM)    TESTBED_TLS_DIR  all TLS files
#   TESTBED_MAILDIR_ROOT  $DIR/mail; user U's INBOX is the maildir $DIR/mail/U
#   TESTBED_MAIL_OWNER    uid:gid owning the mail (root: `nobody`)
#   TESTBED_DOVECOT_PID TESTBED_POSTFIX_PID   master PIDs
#   TESTBED_DOVECOT_CONF TESTBED_POSTFIX_CONF_DIR
#
# Environment knobs (all optional):
#   TESTBED_PORT_BASE (11000): defaults are BASE+143 IMAP, BASE+993 IMAPS, BASE+24 LMTP,
#       BASE+25 SMTP, BASE+465 SMTPS; each overridable: TESTBED_IMAP_PORT,
#       TESTBED_IMAPS_PORT, TESTBED_LMTP_PORT, TESTBED_SMTP_PORT, TESTBED_SMTPS_PORT.
#       (dovecot.sh defaults to 10143, so both can run at once.)
#   TESTBED_USERS ("client secretariat staff1 staff2 manager alice bob")
#   TESTBED_PASS (testpass)   TESTBED_DOMAIN (example.test)
#   TESTBED_MTA (postfix as root, none otherwise)
#   TESTBED_KEY_TYPE (ec = P-256, or rsa = RSA 2048)
#   TESTBED_MESSAGE_SIZE_LIMIT (104857600 bytes, Postfix message_size_limit)
#   TESTBED_IDLE_CHECK (1 secs)  TESTBED_MAIL_UID (nobody; root only, Dovecot refuses
#       to deliver as uid 0)
#   TESTBED_CLEAN=1: testbed_stop also deletes DIR when everything stopped.
#
# Layout of DIR:
#   etc/passwd        user:{PLAIN}pass:uid:gid::DIR/home/user   (Dovecot passdb+userdb)
#   etc/dovecot.conf  etc/dovecot-ssl.conf (ssl_cert/ssl_key, rewritten by use_cert)
#   postfix/          Postfix config_directory: main.cf master.cf vmailbox
#   spool/            Postfix queue_directory (master.pid in spool/pid/)
#   postfix-data/     Postfix data_directory
#   run/              Dovecot base_dir: master.pid, sockets lmtp, auth-postfix
#   state/            Dovecot state_dir
#   log/              dovecot.log postfix.log
#   mail/USER/        maildir (INBOX) of each user    home/USER/  their home
#   tls/              ca.pem ca.key (test CA, 10 years)
#                     server.key (one key for every leaf below)
#                     server.pem     CN=localhost, SAN DNS:localhost IP:127.0.0.1, 1 year
#                     expired.pem    same names, valid 2020-01-01 .. 2020-02-01 only
#                     wrongname.pem  CN/SAN wrong.example.test, valid, same CA
#                     untrusted.pem  localhost names, signed by untrusted-ca.pem
#                                    (a second CA that TESTBED_CA does not contain)
#                     ca.cnf index.txt serial newcerts/  (openssl ca bookkeeping)
#
# The exact Dovecot configuration written (testbed_write_dovecot_conf):
#   base_dir = DIR/run  state_dir = DIR/state  log_path = info_log_path = DIR/log/dovecot.log
#   instance_name = testbed-<basename DIR>     protocols = imap lmtp
#   listen = 127.0.0.1   ssl = yes   ssl_min_protocol = TLSv1.2
#   !include DIR/etc/dovecot-ssl.conf  (ssl_cert = <DIR/tls/server.pem, ssl_key = <…/server.key)
#   disable_plaintext_auth = no   auth_mechanisms = plain login
#   auth_failure_delay = 0   (a wrong password is refused at once, not after 2 s)
#   postmaster_address = postmaster@example.test   hostname = localhost   first_valid_uid = 1
#   mail_max_userip_connections = 100   imap_idle_notify_interval = 10 secs
#   mailbox_idle_check_interval = $TESTBED_IDLE_CHECK
#   passdb/userdb passwd-file DIR/etc/passwd (username_format=%n: the domain is dropped)
#   mail_location = maildir:DIR/mail/%n   namespace inbox { inbox = yes separator = / }
#   service imap-login { inet_listener imap  { address = 127.0.0.1 port = IMAP_PORT }
#                        inet_listener imaps { address = 127.0.0.1 port = IMAPS_PORT ssl = yes } }
#   service lmtp { unix_listener lmtp { mode = 0600 user = postfix group = postfix }
#                  inet_listener lmtp { address = 127.0.0.1 port = LMTP_PORT } }
#   service auth { unix_listener auth-postfix { mode = 0600 user = postfix group = postfix } }
#   root: default_login_user = dovenull, default_internal_user = dovecot, mail uid nobody.
#   non-root: every user setting = the invoking user, `chroot =` for imap-login and anvil,
#             the unix listeners keep Dovecot's default owner.
#
# The exact Postfix configuration written (testbed_write_postfix_conf), main.cf:
#   compatibility_level = 3.6   queue_directory = DIR/spool   data_directory = DIR/postfix-data
#   mail_owner = postfix   setgid_group = postdrop
#   maillog_file = DIR/log/postfix.log   maillog_file_prefixes = DIR/log   syslog_name = postfix-testbed
#   myhostname = localhost   mydomain = myorigin = example.test   mydestination =
#   inet_interfaces = loopback-only   inet_protocols = ipv4   mynetworks = 127.0.0.0/8
#   smtp_dns_support_level = disabled   lmtp_dns_support_level = disabled
#   smtpd_peername_lookup = no   alias_maps =   alias_database =
#   local_transport = error:…   default_transport = error:…   relay_transport = error:…
#   virtual_mailbox_domains = example.test
#   virtual_mailbox_maps = texthash:DIR/postfix/vmailbox   (unknown users: 550 at RCPT)
#   virtual_transport = lmtp:unix:DIR/run/lmtp
#   smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
#   smtpd_tls_chain_files = DIR/tls/server.key, DIR/tls/server.pem
#   smtpd_tls_security_level = may   smtpd_tls_auth_only = yes   smtpd_tls_loglevel = 1
#   smtpd_sasl_auth_enable = yes   smtpd_sasl_type = dovecot
#   smtpd_sasl_path = DIR/run/auth-postfix   smtpd_sasl_security_options = noanonymous
#   in_flow_delay = 0   smtpd_error_sleep_time = 0   message_size_limit = $TESTBED_MESSAGE_SIZE_LIMIT
#   mailbox_size_limit = 0   queue_run_delay = minimal_backoff_time = 5s   maximal_backoff_time = 10s
#   smtpd_banner = $myhostname ESMTP testbed   biff = no   append_dot_mydomain = no
# master.cf: 127.0.0.1:SMTP_PORT smtpd; 127.0.0.1:SMTPS_PORT smtpd
#   -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt; the usual internal
#   services, every one with chroot = n; `postlog unix-dgram … postlogd` (for maillog_file).
# The files are backdated by 10 s: Postfix rereads, 300 ms at a time, a config file
# whose mtime is under 2 s old, which cost 1.8 s at every start.
# Started with `postfix -c DIR/postfix check` (creates the queue directories with the
# postfix/postdrop owners), then `postfix -c DIR/postfix start` (a quick-start file in
# the queue skips a second check); stopped by SIGTERM to the master's own PID.

testbed_log() { printf 'testbed: %s\n' "$*" >&2; }

testbed_fail() {
	testbed_log "ERROR: $*"
	[ -n "${TESTBED_DIR:-}" ] && testbed_logs 20
	return 1
}

# True if something accepts TCP connections on 127.0.0.1:$1.
testbed_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# First line sent by the server on 127.0.0.1:$1 (empty if none within 2 s).
_tb_greeting() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1" && timeout 2 head -n1 <&3) 2>/dev/null | tr -d '\r' || true
}

# _tb_wait_greeting PORT PREFIX SECONDS
_tb_wait_greeting() {
	local port=$1 prefix=$2 n=$(($3 * 20)) g
	while [ "$n" -gt 0 ]; do
		if testbed_port_open "$port"; then
			g=$(_tb_greeting "$port")
			case $g in "$prefix"*) return 0 ;; esac
		fi
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# True if PID exists and is not a zombie (an exited child that its parent has not
# reaped yet; in containers whose init reaps slowly, `kill -0` sees it for ~1 s).
_tb_alive() {
	local st
	[ -n "${1:-}" ] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _tb_pid_is_ours PID DIR KIND — the process is a Dovecot/Postfix master of DIR.
_tb_pid_is_ours() {
	local pid=$1 dir=$2 kind=$3
	_tb_alive "$pid" || return 1
	case $kind in
	dovecot)
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/etc/dovecot.conf"
		;;
	postfix)
		# The master has no path on its command line; it runs in its queue directory.
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/lib/postfix/sbin/master ] &&
			[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir/spool" ]
		;;
	*) return 1 ;;
	esac
}

# _tb_kill_wait PID NAME — SIGTERM, wait up to 10 s, then SIGKILL.
_tb_kill_wait() {
	local pid=$1 name=$2 i
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 200); do
		_tb_alive "$pid" || { testbed_log "$name pid $pid stopped"; return 0; }
		sleep 0.05
	done
	testbed_log "$name pid $pid still alive after 10 s, sending KILL"
	kill -KILL "$pid" 2>/dev/null || true
}

# Processes of the Dovecot/Postfix binaries whose cwd, root or command line is inside DIR.
_tb_leftovers() {
	local dir=$1 p exe cwd root
	# (find fails on processes that vanish meanwhile: harmless, and must not trip
	# a caller's `set -e -o pipefail`)
	{ find /proc -mindepth 2 -maxdepth 2 -name exe -printf '%h %l\n' 2>/dev/null || true; } |
		while read -r p exe; do
			case $exe in
			/usr/sbin/dovecot | /usr/lib/dovecot/* | /usr/lib/postfix/sbin/*) ;;
			*) continue ;;
			esac
			cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=""
			root=$(readlink "$p/root" 2>/dev/null) || root=""
			case "$cwd/ $root/" in
			"$dir"/* | *" $dir"/*) echo "${p#/proc/}"; continue ;;
			esac
			if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$dir/"; then
				echo "${p#/proc/}"
			fi
		done
}

# ---------------------------------------------------------------- certificates

# testbed_make_certs TLSDIR — test CA, server cert and the three bad ones.
testbed_make_certs() {
	local t=$1 keyopt ku
	mkdir -p "$t/newcerts" || return 1
	case ${TESTBED_KEY_TYPE:-ec} in
	rsa) keyopt="-algorithm RSA -pkeyopt rsa_keygen_bits:2048" ku="digitalSignature, keyEncipherment" ;;
	*) keyopt="-algorithm EC -pkeyopt ec_paramgen_curve:prime256v1" ku="digitalSignature" ;;
	esac
	cat >"$t/ca.cnf" <<EOF
# openssl ca bookkeeping for the test CA — generated by mailsystem.sh
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ ca ]
default_ca = testbed
[ testbed ]
database = $t/index.txt
new_certs_dir = $t/newcerts
serial = $t/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $ku
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
	: >"$t/index.txt" && echo 01 >"$t/serial" || return 1
	(
		# (set -e is void inside a `( … ) || …` list: every step checks itself)
		cd "$t" || exit 1
		sign() { openssl ca -batch -notext -config ca.cnf -extensions leaf "$@" || exit 1; }
		umask 077
		for k in ca untrusted-ca server; do
			# shellcheck disable=SC2086
			openssl genpkey $keyopt -out $k.key || exit 1
		done
		umask 022
		openssl req -new -x509 -config ca.cnf -extensions ca_ext -key ca.key -days 3650 \
			-subj "/O=mailsystem testbed/CN=Testbed CA $(date +%s)" -out ca.pem || exit 1
		openssl req -new -x509 -config ca.cnf -extensions ca_ext -key untrusted-ca.key -days 3650 \
			-subj "/O=mailsystem testbed/CN=Untrusted Testbed CA" -out untrusted-ca.pem || exit 1
		openssl req -new -key server.key -subj "/CN=localhost" \
			-addext "subjectAltName = DNS:localhost, IP:127.0.0.1" -out server.csr || exit 1
		openssl req -new -key server.key -subj "/CN=wrong.example.test" \
			-addext "subjectAltName = DNS:wrong.example.test" -out wrongname.csr || exit 1
		sign -cert ca.pem -keyfile ca.key -days 365 -in server.csr -out server.pem
		sign -cert ca.pem -keyfile ca.key -startdate 20200101000000Z -enddate 20200201000000Z \
			-in server.csr -out expired.pem
		sign -cert ca.pem -keyfile ca.key -days 365 -in wrongname.csr -out wrongname.pem
		sign -cert untrusted-ca.pem -keyfile untrusted-ca.key -days 365 -in server.csr -out untrusted.pem
		# The keys stay root-only (0600): Dovecot and Postfix read them before dropping privileges.
		chmod 644 ./*.pem
	) >"$t/openssl.log" 2>&1 || { cat "$t/openssl.log" >&2; return 1; }
}

# ---------------------------------------------------------------- Dovecot

testbed_write_dovecot_conf() {
	local d=$1 root=$2 login_user internal_user extra="" chroot_line="" sock_owner=""
	if [ "$root" = 1 ]; then
		login_user=dovenull internal_user=dovecot
		sock_owner="    user = postfix
    group = postfix"
	else
		login_user=$(id -un) internal_user=$(id -un)
		extra="default_internal_group = $(id -gn)"
		chroot_line="  chroot ="
	fi
	cat >"$d/etc/dovecot-ssl.conf" <<EOF
ssl_cert = <$d/tls/server.pem
ssl_key = <$d/tls/server.key
EOF
	cat >"$d/etc/dovecot.conf" <<EOF
# Private Dovecot test instance — generated by mailsystem.sh; do not edit.
base_dir = $d/run
state_dir = $d/state
instance_name = testbed-${d##*/}
log_path = $d/log/dovecot.log
info_log_path = $d/log/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "

protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_min_protocol = TLSv1.2
!include $d/etc/dovecot-ssl.conf
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
postmaster_address = postmaster@$TESTBED_DOMAIN
hostname = localhost

default_login_user = $login_user
default_internal_user = $internal_user
$extra
first_valid_uid = 1
mail_max_userip_connections = 100

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $d/etc/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%n $d/etc/passwd
}

mail_location = maildir:$d/mail/%n
namespace inbox {
  inbox = yes
  separator = /
}

protocol imap {
  imap_idle_notify_interval = 10 secs
}
mailbox_idle_check_interval = ${TESTBED_IDLE_CHECK:-1 secs}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $TESTBED_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $TESTBED_IMAPS_PORT
    ssl = yes
  }
$chroot_line
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
$sock_owner
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $TESTBED_LMTP_PORT
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0600
$sock_owner
  }
}
service anvil {
$chroot_line
}
EOF
}

_tb_start_dovecot() {
	local d=$1 i
	doveconf -c "$d/etc/dovecot.conf" >/dev/null 2>"$d/log/doveconf.err" ||
		{ cat "$d/log/doveconf.err" >&2; testbed_fail "invalid Dovecot config $d/etc/dovecot.conf"; return 1; }
	# (stdio redirected: the master would otherwise keep the caller's stderr open)
	dovecot -c "$d/etc/dovecot.conf" </dev/null >/dev/null 2>>"$d/log/dovecot.err" ||
		{ testbed_fail "dovecot refused to start"; return 1; }
	_tb_wait_greeting "$TESTBED_IMAP_PORT" "* OK" 10 ||
		{ testbed_fail "no IMAP greeting on 127.0.0.1:$TESTBED_IMAP_PORT after 10 s"; return 1; }
	for i in $(seq 1 100); do
		[ -S "$d/run/lmtp" ] && [ -S "$d/run/auth-postfix" ] && [ -s "$d/run/master.pid" ] &&
			testbed_port_open "$TESTBED_IMAPS_PORT" && break
		sleep 0.05
	done
	_tb_wait_greeting "$TESTBED_LMTP_PORT" "220" 5 ||
		{ testbed_fail "no LMTP greeting on 127.0.0.1:$TESTBED_LMTP_PORT"; return 1; }
	read -r TESTBED_DOVECOT_PID <"$d/run/master.pid" || { testbed_fail "no $d/run/master.pid"; return 1; }
	testbed_log "dovecot pid $TESTBED_DOVECOT_PID: imap $TESTBED_IMAP_PORT imaps $TESTBED_IMAPS_PORT lmtp $TESTBED_LMTP_PORT"
}

# ---------------------------------------------------------------- Postfix

testbed_write_postfix_conf() {
	local d=$1 u
	local err="error:5.7.1 this test MTA delivers only to $TESTBED_DOMAIN"
	cat >"$d/postfix/main.cf" <<EOF
# Private Postfix test instance — generated by mailsystem.sh; do not edit.
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/postfix-data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/log/postfix.log
maillog_file_prefixes = $d/log
syslog_name = postfix-testbed

myhostname = localhost
mydomain = $TESTBED_DOMAIN
myorigin = $TESTBED_DOMAIN
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no

local_transport = $err
default_transport = $err
relay_transport = $err
virtual_mailbox_domains = $TESTBED_DOMAIN
virtual_mailbox_maps = texthash:$d/postfix/vmailbox
recipient_delimiter = +
virtual_transport = lmtp:unix:$d/run/lmtp

smtpd_banner = \$myhostname ESMTP testbed
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_chain_files = $d/tls/server.key, $d/tls/server.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $d/run/auth-postfix
smtpd_sasl_security_options = noanonymous

in_flow_delay = 0
smtpd_error_sleep_time = 0
message_size_limit = ${TESTBED_MESSAGE_SIZE_LIMIT:-104857600}
mailbox_size_limit = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
EOF
	cat >"$d/postfix/master.cf" <<EOF
# Private Postfix test instance — generated by mailsystem.sh; do not edit.
# No service is chrooted (column 5 = n): the queue directory is not a chroot jail.
# service              type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$TESTBED_SMTP_PORT  inet  n   -   n   -   -   smtpd
127.0.0.1:$TESTBED_SMTPS_PORT inet  n   -   n   -   -   smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	: >"$d/postfix/vmailbox"
	for u in $TESTBED_USERS; do
		printf '%s@%s\t%s/\n' "$u" "$TESTBED_DOMAIN" "$u" >>"$d/postfix/vmailbox"
	done
	chmod 644 "$d/postfix/main.cf" "$d/postfix/master.cf" "$d/postfix/vmailbox"
	_tb_cool_down "$d/postfix"/*
}

# Postfix rereads a configuration file for as long as its mtime is under 2 s old
# ("pausing to let … cool down", 300 ms a time): backdate what we just wrote.
_tb_cool_down() { touch -d "@$(($(date +%s) - 10))" "$@"; }

_tb_start_postfix() {
	local d=$1 i
	# The queue directory must exist (root-owned) before any postfix command; its
	# subdirectories are made, with the postfix/postdrop owners, by `postfix check`.
	mkdir -p "$d/spool" && chmod 755 "$d/spool" || return 1
	postfix -c "$d/postfix" check >"$d/log/postfix-start.log" 2>&1 ||
		{ cat "$d/log/postfix-start.log" >&2; testbed_fail "postfix check failed for $d/postfix"; return 1; }
	# check has created the queue; skip the second, slower check in start
	touch "$d/spool/quick-start"
	postfix -c "$d/postfix" start >>"$d/log/postfix-start.log" 2>&1 ||
		{ cat "$d/log/postfix-start.log" >&2; testbed_fail "postfix refused to start"; return 1; }
	for i in $(seq 1 100); do
		[ -s "$d/spool/pid/master.pid" ] && break
		sleep 0.05
	done
	read -r TESTBED_POSTFIX_PID <"$d/spool/pid/master.pid" 2>/dev/null ||
		{ testbed_fail "no $d/spool/pid/master.pid"; return 1; }
	_tb_wait_greeting "$TESTBED_SMTP_PORT" "220" 10 ||
		{ testbed_fail "no SMTP greeting on 127.0.0.1:$TESTBED_SMTP_PORT"; return 1; }
	testbed_port_open "$TESTBED_SMTPS_PORT" ||
		{ testbed_fail "nothing listens on 127.0.0.1:$TESTBED_SMTPS_PORT (SMTPS)"; return 1; }
	testbed_log "postfix pid $TESTBED_POSTFIX_PID: smtp $TESTBED_SMTP_PORT smtps $TESTBED_SMTPS_PORT"
}

# ---------------------------------------------------------------- start / stop

# testbed_start [DIR]
testbed_start() {
	local dir=${1:-} base=${TESTBED_PORT_BASE:-11000} root=0 u uid gid p

	TESTBED_DIR=""	# forget any previous instance (testbed_fail prints its logs)
	TESTBED_DOMAIN=${TESTBED_DOMAIN:-example.test}
	TESTBED_USERS=${TESTBED_USERS:-client secretariat staff1 staff2 manager alice bob}
	TESTBED_PASS=${TESTBED_PASS:-testpass}
	TESTBED_HOST=127.0.0.1
	TESTBED_IMAP_PORT=${TESTBED_IMAP_PORT:-$((base + 143))}
	TESTBED_IMAPS_PORT=${TESTBED_IMAPS_PORT:-$((base + 993))}
	TESTBED_LMTP_PORT=${TESTBED_LMTP_PORT:-$((base + 24))}
	[ "$(id -u)" -eq 0 ] && root=1
	if [ $root = 1 ]; then TESTBED_MTA=${TESTBED_MTA:-postfix}; else TESTBED_MTA=${TESTBED_MTA:-none}; fi
	TESTBED_DOVECOT_PID="" TESTBED_POSTFIX_PID=""

	for p in dovecot doveconf openssl; do
		command -v $p >/dev/null || { testbed_fail "$p not installed (see the header of mailsystem.sh)"; return 1; }
	done
	[ -x /usr/lib/dovecot/lmtp ] || { testbed_fail "dovecot-lmtpd not installed"; return 1; }
	case $TESTBED_MTA in
	postfix)
		TESTBED_SMTP_PORT=${TESTBED_SMTP_PORT:-$((base + 25))}
		TESTBED_SMTPS_PORT=${TESTBED_SMTPS_PORT:-$((base + 465))}
		[ $root = 1 ] || { testbed_fail "Postfix needs root (use TESTBED_MTA=none)"; return 1; }
		command -v postfix >/dev/null && [ -x /usr/lib/postfix/sbin/master ] ||
			{ testbed_fail "postfix not installed"; return 1; }
		getent passwd postfix >/dev/null && getent group postdrop >/dev/null ||
			{ testbed_fail "user postfix / group postdrop missing (reinstall postfix)"; return 1; }
		;;
	none) TESTBED_SMTP_PORT="" TESTBED_SMTPS_PORT="" ;;
	*) testbed_fail "TESTBED_MTA must be postfix or none"; return 1 ;;
	esac
	for p in $TESTBED_IMAP_PORT $TESTBED_IMAPS_PORT $TESTBED_LMTP_PORT $TESTBED_SMTP_PORT $TESTBED_SMTPS_PORT; do
		case $p in
		[1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-5][0-9][0-9][0-9][0-9] | 6[0-4][0-9][0-9][0-9] | 65[0-4][0-9][0-9] | 655[0-2][0-9] | 6553[0-5]) ;;
		*) testbed_fail "bad port '$p'"; return 1 ;;
		esac
		if testbed_port_open "$p"; then
			testbed_fail "127.0.0.1:$p is already in use; set TESTBED_PORT_BASE or the TESTBED_*_PORT variables"
			return 1
		fi
	done

	if [ -z "$dir" ]; then
		dir=$(mktemp -d /tmp/mailsystem.XXXXXX) || { testbed_fail "mktemp failed"; return 1; }
	fi
	mkdir -p "$dir"/{etc,postfix,run,state,log,tls,mail,home} || return 1
	dir=$(cd "$dir" && pwd)
	read -r p 2>/dev/null <"$dir/run/master.pid" || p=""
	if _tb_pid_is_ours "$p" "$dir" dovecot; then testbed_fail "a testbed already runs in $dir"; return 1; fi
	read -r p 2>/dev/null <"$dir/spool/pid/master.pid" || p=""
	if _tb_pid_is_ours "$p" "$dir" postfix; then testbed_fail "a testbed already runs in $dir"; return 1; fi
	TESTBED_DIR=$dir
	TESTBED_MAILDIR_ROOT=$dir/mail
	TESTBED_TLS_DIR=$dir/tls
	TESTBED_CA=$dir/tls/ca.pem
	TESTBED_DOVECOT_CONF=$dir/etc/dovecot.conf
	TESTBED_LMTP_SOCKET=$dir/run/lmtp
	TESTBED_POSTFIX_CONF_DIR=""
	[ "$TESTBED_MTA" = postfix ] && TESTBED_POSTFIX_CONF_DIR=$dir/postfix

	if [ $root = 1 ]; then
		local mu=${TESTBED_MAIL_UID:-nobody}
		uid=$(id -u "$mu") && gid=$(id -g "$mu") || { testbed_fail "no user $mu"; return 1; }
		getent passwd dovenull >/dev/null && getent passwd dovecot >/dev/null ||
			{ testbed_fail "users dovecot/dovenull missing (install dovecot-core)"; return 1; }
	else
		uid=$(id -u) gid=$(id -g)
	fi
	TESTBED_MAIL_OWNER=$uid:$gid

	testbed_make_certs "$dir/tls" || { testbed_fail "certificate generation failed"; return 1; }

	: >"$dir/etc/passwd"
	for u in $TESTBED_USERS; do
		mkdir -p "$dir/home/$u" "$dir/mail/$u"/{cur,new,tmp}
		printf '%s:{PLAIN}%s:%s:%s::%s\n' "$u" "$TESTBED_PASS" "$uid" "$gid" "$dir/home/$u" >>"$dir/etc/passwd"
	done
	chmod 644 "$dir/etc/passwd"
	if [ $root = 1 ]; then
		# Unprivileged processes (mail uid, dovecot, postfix) must traverse the tree.
		chmod 755 "$dir" "$dir"/{etc,postfix,log,tls,mail,home}
		for u in $TESTBED_USERS; do chown -R "$uid:$gid" "$dir/home/$u" "$dir/mail/$u"; done
	fi

	testbed_write_dovecot_conf "$dir" $root
	_tb_start_dovecot "$dir" || { testbed_stop "$dir"; return 1; }
	if [ "$TESTBED_MTA" = postfix ]; then
		testbed_write_postfix_conf "$dir"
		_tb_start_postfix "$dir" || { testbed_stop "$dir"; return 1; }
	fi
	export TESTBED_DIR TESTBED_HOST TESTBED_DOMAIN TESTBED_USERS TESTBED_PASS TESTBED_MTA \
		TESTBED_IMAP_PORT TESTBED_IMAPS_PORT TESTBED_LMTP_PORT TESTBED_LMTP_SOCKET \
		TESTBED_SMTP_PORT TESTBED_SMTPS_PORT TESTBED_CA TESTBED_TLS_DIR TESTBED_MAILDIR_ROOT \
		TESTBED_MAIL_OWNER TESTBED_DOVECOT_PID TESTBED_POSTFIX_PID TESTBED_DOVECOT_CONF \
		TESTBED_POSTFIX_CONF_DIR
	testbed_log "mail system up in $dir"
}

# The export line printed by `mailsystem.sh start`.
testbed_env() {
	local v
	printf 'export'
	for v in TESTBED_DIR TESTBED_HOST TESTBED_DOMAIN TESTBED_USERS TESTBED_PASS TESTBED_MTA \
		TESTBED_IMAP_PORT TESTBED_IMAPS_PORT TESTBED_LMTP_PORT TESTBED_LMTP_SOCKET \
		TESTBED_SMTP_PORT TESTBED_SMTPS_PORT TESTBED_CA TESTBED_TLS_DIR TESTBED_MAILDIR_ROOT \
		TESTBED_MAIL_OWNER TESTBED_DOVECOT_PID TESTBED_POSTFIX_PID TESTBED_DOVECOT_CONF \
		TESTBED_POSTFIX_CONF_DIR; do
		printf ' %s=%q' "$v" "${!v:-}"
	done
	printf '\n'
}

# testbed_stop [DIR] — Postfix first (it delivers into Dovecot), then Dovecot, each by
# its master's own PID after checking that the PID is that master; then any process
# of theirs still inside DIR. Safe to call twice and from `trap … EXIT`.
testbed_stop() {
	local dir=${1:-${TESTBED_DIR:-}} pid left rc=0
	[ -n "$dir" ] || { testbed_log "stop: no DIR"; return 0; }
	[ -d "$dir" ] || { testbed_log "stop: no directory $dir"; return 0; }
	dir=$(cd "$dir" && pwd)

	if [ -s "$dir/spool/pid/master.pid" ]; then
		read -r pid <"$dir/spool/pid/master.pid" || pid=""
		if _tb_pid_is_ours "$pid" "$dir" postfix; then
			_tb_kill_wait "$pid" postfix
		elif _tb_alive "$pid"; then
			testbed_log "stop: pid $pid is not our postfix master (stale pid file), left alone"
		fi
		rm -f "$dir/spool/pid/master.pid"	# Postfix leaves it behind
	fi
	if [ -s "$dir/run/master.pid" ]; then
		read -r pid <"$dir/run/master.pid" || pid=""
		if _tb_pid_is_ours "$pid" "$dir" dovecot; then
			_tb_kill_wait "$pid" dovecot	# Dovecot logs "Killed with signal 15": expected
		elif _tb_alive "$pid"; then
			testbed_log "stop: pid $pid is not our dovecot master (stale pid file), left alone"
		fi
		rm -f "$dir/run/master.pid"
	fi
	# Children normally exit with their master; give them a moment, then end any left.
	for pid in 1 2 3 4 5 6 7 8 9 10; do
		left=$(_tb_leftovers "$dir")
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		testbed_log "stop: ending leftover processes: $(echo $left)"
		for pid in $left; do kill -TERM "$pid" 2>/dev/null || true; done
		sleep 0.5
		for pid in $(_tb_leftovers "$dir"); do kill -KILL "$pid" 2>/dev/null || true; done
		[ -z "$(_tb_leftovers "$dir")" ] || { testbed_log "stop: processes survive in $dir"; rc=1; }
	fi
	if [ $rc = 0 ] && [ "${TESTBED_CLEAN:-0}" = 1 ]; then
		case $dir in
		/tmp/?*) rm -rf "$dir" && testbed_log "removed $dir" ;;
		*) testbed_log "stop: not removing $dir (not under /tmp)" ;;
		esac
	fi
	return $rc
}

# ---------------------------------------------------------------- helpers

# testbed_logs [LINES] — tail of every log, to stderr.
testbed_logs() {
	local n=${1:-20} f
	[ -n "${TESTBED_DIR:-}" ] || { testbed_log "logs: no TESTBED_DIR"; return 0; }
	for f in "$TESTBED_DIR"/log/*.log "$TESTBED_DIR"/log/*.err; do
		[ -s "$f" ] || continue
		printf '==> %s <==\n' "$f" >&2
		tail -n "$n" "$f" >&2
	done
	return 0
}

# testbed_count_mail USER — messages in USER's INBOX maildir (new/ + cur/).
testbed_count_mail() {
	local md=$TESTBED_MAILDIR_ROOT/$1
	[ -d "$md/new" ] || { testbed_log "no maildir $md"; echo 0; return 1; }
	find "$md/new" "$md/cur" -maxdepth 1 -type f | wc -l
}

# testbed_wait_mail USER [COUNT=1] [TIMEOUT=10] — until USER's INBOX holds >= COUNT.
testbed_wait_mail() {
	local user=$1 want=${2:-1} timeout=${3:-10} n=0 end
	end=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		n=$(testbed_count_mail "$user") || return 1
		[ "$n" -ge "$want" ] && return 0
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.02
	done
	testbed_log "wait_mail: $user has $n message(s), wanted $want, after ${timeout}s"
	if [ "${TESTBED_MTA:-}" = postfix ]; then testbed_postqueue -p >&2 || true; fi
	testbed_logs 10
	return 1
}

_TB_SEND_PY='
import os, smtplib, ssl, sys
mode, host, port, sender, rcpts, path = sys.argv[1:7]
to = [r for r in rcpts.replace(",", " ").split() if r]
data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
tls = os.environ.get("TESTBED_SEND_TLS") == "1"
auth = os.environ.get("TESTBED_SEND_AUTH") == "1"
try:
    if mode == "lmtp":
        for rcpt in to:  # smtplib reads one reply after DATA: one recipient a transaction
            with smtplib.LMTP(host, int(port), timeout=30) as s:
                s.sendmail(sender, [rcpt], data)
        sys.exit(0)
    with smtplib.SMTP(host, int(port), local_hostname="localhost", timeout=30) as s:
        if tls or auth:
            ctx = ssl.create_default_context(cafile=os.environ["TESTBED_CA"])
            s.starttls(context=ctx)  # host 127.0.0.1 is checked against the IP SAN
        if auth:
            s.login(sender.split("@")[0], os.environ["TESTBED_PASS"])
        refused = s.sendmail(sender, to, data)
        if refused:
            sys.exit("testbed_send: refused %r" % refused)
except (smtplib.SMTPException, OSError) as e:
    sys.exit("testbed_send: %s: %s" % (type(e).__name__, e))
'

# testbed_send FROM TO FILE — SMTP to Postfix (LMTP to Dovecot when TESTBED_MTA=none).
# Returns when the MTA has queued the message (250 after DATA); see testbed_wait_mail.
testbed_send() {
	[ $# -eq 3 ] || { testbed_log "usage: testbed_send FROM TO FILE|-"; return 2; }
	if [ "${TESTBED_MTA:-}" = postfix ]; then
		python3 -c "$_TB_SEND_PY" smtp 127.0.0.1 "$TESTBED_SMTP_PORT" "$@"
	else
		python3 -c "$_TB_SEND_PY" lmtp 127.0.0.1 "$TESTBED_LMTP_PORT" "$@"
	fi || { testbed_log "send $1 -> $2 failed"; return 1; }
}

# SHA-256 fingerprint of the certificate served on 127.0.0.1:PORT [STARTTLS-PROTO].
_tb_served_fp() {
	local port=$1 proto=${2:-}
	openssl s_client -connect "127.0.0.1:$port" -servername localhost ${proto:+-starttls "$proto"} \
		</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# testbed_use_cert NAME — make both servers present $TESTBED_TLS_DIR/NAME.pem
# (server | expired | wrongname | untrusted), reload them, wait until it is served.
testbed_use_cert() {
	local name=${1:-} d=${TESTBED_DIR:-} cert want i ok
	cert=$d/tls/$name.pem
	[ -n "$name" ] && [ -f "$cert" ] && case $name in *ca) false ;; esac ||
		{ testbed_log "use_cert: no certificate '$name' (server expired wrongname untrusted)"; return 1; }
	want=$(openssl x509 -in "$cert" -noout -fingerprint -sha256)
	printf 'ssl_cert = <%s\nssl_key = <%s\n' "$cert" "$d/tls/server.key" >"$d/etc/dovecot-ssl.conf"
	_tb_pid_is_ours "$TESTBED_DOVECOT_PID" "$d" dovecot || { testbed_log "use_cert: dovecot not running"; return 1; }
	kill -HUP "$TESTBED_DOVECOT_PID"
	if [ "${TESTBED_MTA:-}" = postfix ]; then
		postconf -c "$d/postfix" -e "smtpd_tls_chain_files = $d/tls/server.key, $cert" || return 1
		_tb_cool_down "$d/postfix/main.cf"
		_tb_pid_is_ours "$TESTBED_POSTFIX_PID" "$d" postfix || { testbed_log "use_cert: postfix not running"; return 1; }
		kill -HUP "$TESTBED_POSTFIX_PID"
	fi
	for i in $(seq 1 100); do
		ok=1
		[ "$(_tb_served_fp "$TESTBED_IMAPS_PORT")" = "$want" ] || ok=0
		if [ $ok = 1 ] && [ "${TESTBED_MTA:-}" = postfix ]; then
			[ "$(_tb_served_fp "$TESTBED_SMTP_PORT" smtp)" = "$want" ] || ok=0
		fi
		[ $ok = 1 ] && { testbed_log "serving tls/$name.pem"; return 0; }
		sleep 0.05
	done
	testbed_log "use_cert: tls/$name.pem still not served after 5 s"
	return 1
}

testbed_doveadm() { doveadm -c "$TESTBED_DOVECOT_CONF" "$@"; }
testbed_postconf() { postconf -c "$TESTBED_DIR/postfix" "$@"; }
testbed_postqueue() { postqueue -c "$TESTBED_DIR/postfix" "$@"; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-} in
	start) testbed_start "${2:-}" >&2 || exit 1; testbed_env ;;
	stop) testbed_stop "${2:-}" ;;
	logs) TESTBED_DIR=${2:-${TESTBED_DIR:-}} testbed_logs "${3:-20}" ;;
	*) echo "usage: $0 start [DIR] | stop [DIR] | logs [DIR] [LINES]" >&2; exit 2 ;;
	esac
fi
