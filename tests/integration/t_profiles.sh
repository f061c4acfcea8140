#!/bin/bash
# t_profiles.sh: every shipped profile (contrib/profiles/) loads as it is
# (recoursd -n), and its sample message gets the type, the deadlines and
# the checks its procedure asks for (recoursctl rules test), on an empty
# database, writing nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
scratch
# rules test counts from now: the clock stands still when the samples
# were written (Monday 23 November 2026, 10:00 in Paris).
clock_at "2026-11-23 10:00"

# profile_conf P: the profile's configuration, with paths under $d/P.
profile_conf() {
	local p=$1 dir=$d/$1
	mkdir -p "$dir/state"
	for f in client secretariat smtp; do echo secret > "$dir/$f.password"; done
	echo "0123456789abcdef-profile-key" > "$dir/staff.key"
	sed -e "s|/var/lib/recoursd/recoursd.db|$dir/state/recoursd.db|" \
	    -e "s|/var/lib/recoursd|$dir/state|" \
	    -e "s|/etc/recoursd/rules|$top_srcdir/contrib/profiles/$p/rules|" \
	    -e "s|/usr/share/recoursd/templates|$top_srcdir/templates|" \
	    -e "s|/etc/recoursd/templates|$top_srcdir/contrib/profiles/$p/templates|" \
	    -e "s|/etc/recoursd/|$dir/|" \
	    "$top_srcdir/contrib/profiles/$p/recoursd.conf" > "$dir/recoursd.conf"
}

# check P MAILBOX TYPE-REGEX DEADLINES...: -n passes, and rules test on the
# sample names the type and each deadline.
check() {
	local p=$1 mb=$2 type=$3 out rc dl
	shift 3
	profile_conf "$p"
	out=$("$RECOURSD" -n -f "$d/$p/recoursd.conf" 2>&1); rc=$?
	is "$rc" 0 "$p: recoursd -n accepts the profile"
	[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/#   /'
	out=$("$RECOURSCTL" -f "$d/$p/recoursd.conf" rules test --mailbox "$mb" \
	    "$top_srcdir/contrib/profiles/$p/sample.eml" 2>&1)
	like "$out" "$type" "$p: the sample is classified as its procedure says"
	for dl in "$@"; do
		like "$out" "deadline: $dl" "$p: deadline $dl"
	done
	echo "$out" > "$d/$p/rules-test.out"
}

check activcert client "new appeal case .*APP-" "ack" "admissibility" "response"
like "$(cat "$d/activcert/rules-test.out")" "decision notified 18/11/2026: lodged before the limit 2026-11-26T00:00:00\+01:00" \
    "activcert: the decision's date is found for admissibility (5 jours ouvrés from Wednesday 18 November)"
like "$(cat "$d/activcert/rules-test.out")" "deadline: ack +due 2026-12-01T00:00:00\+01:00" \
    "activcert: 5 jours ouvrés from Monday 23 November end on Monday 30 November at 24:00"
like "$(cat "$d/activcert/rules-test.out")" "deadline: response +due 2027-01-26T00:00:00\+01:00" \
    "activcert: 2 mois end on Saturday 23 January, moved to Monday 25 January"
check cesi client "new appeal case .*APP-" "ack .*" "progress" "response"
check cyberini client "new claim case .*REC-" "ack" "response" "overall"
check a2s client "new dissatisfaction case .*INS-" "response"
check opqtecc secretariat "new claim case .*REC-" "ack" "firm" "overall"
like "$(cat "$d/opqtecc/rules-test.out")" "incomplete|missing" "opqtecc: a claim without contact details or actions taken is incomplete"

# Each profile's calendar, for checking a rule by hand.
for p in activcert cesi cyberini a2s opqtecc; do
	is "$("$RECOURSCTL" deadline 2026-12-24T10:00 "5 jours ouvrés" --profile "$top_srcdir/contrib/profiles/$p" 2>&1)" \
	    "2027-01-05T00:00:00+01:00" "$p: recoursctl deadline --profile uses its calendar"
done
out=$("$RECOURSCTL" deadline 2026-12-24T10:00 "5 jours ouvrés" --profile nosuch 2>&1); rc=$?
is "$rc" 1 "an unknown profile is an error"
like "$out" "no such profile" "and says so"
mkdir -p "$d/closed"
printf 'calendar = { closures = ( { from = "2026-12-28"; to = "2026-12-31"; } ); };\n' > "$d/closed/recoursd.conf"
is "$("$RECOURSCTL" deadline 2026-12-24T10:00 "2 jours ouvrés" --profile "$d/closed" 2>&1)" \
    "2027-01-06T00:00:00+01:00" "a profile's own calendar counts (its closure)"
done_testing
