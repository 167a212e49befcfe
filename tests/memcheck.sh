#!/usr/bin/env bash
# memcheck.sh [BUILDDIR] — msp-fcgi under valgrind memcheck, behind the
# real nginx, while requests of every kind go through it: the API's GETs
# and POSTs, good and bad, the forms' pages and posts, good and bad,
# 404s.  Then SIGTERM, and a failure on any memcheck error or any
# definitely or indirectly lost block, in the parent or the worker.
#
# BUILDDIR (default: build/, what './dev build' makes) must be built
# without sanitizers: valgrind cannot run ASan binaries.  './dev
# memcheck' builds it and runs this; './dev test' runs it after make
# check.  Without MSP_DATABASE_URL, a throwaway PostgreSQL is made
# (tests/with-pg).
#
# "No leak per request" is checked twice.  At the clean exit every
# per-request allocation not freed has lost its last pointer when its
# request ended, so it is reported as definitely lost; and what a
# worker keeps across requests (connection, study and instrument
# caches) must not grow with their number: the heap the worker still
# holds at exit is compared between a run of one round of requests and
# a run of 1 + MSP_MEMCHECK_ROUNDS rounds (30; 37 requests each),
# one worker each time so that it served them all.  Each run ends with
# two bursts of submissions the worker takes at once (msp-fcgi --batch).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bld=$(cd "${1:-$src/build}" 2>/dev/null && pwd) ||
	{ echo "memcheck: no build directory ${1:-$src/build} ('./dev build' makes it)" >&2; exit 2; }
[ -x "$bld/fcgi/msp-fcgi" ] ||
	{ echo "memcheck: $bld/fcgi/msp-fcgi is not built" >&2; exit 2; }
if grep -q '^SAN_CFLAGS = .*sanitize' "$bld/Makefile" 2>/dev/null; then
	echo "memcheck: $bld is a sanitizer build; valgrind needs a plain one (./dev build)" >&2
	exit 2
fi
command -v valgrind >/dev/null ||
	{ echo "memcheck: valgrind not found (Debian 12: apt-get install valgrind)" >&2; exit 2; }
export MSP_SRCDIR=$src MSP_BUILDDIR=$bld
export MSP_MIGRATIONS_DIR=$src/sql/migrations MSP_REFERENCE_DIR=$src/sql/reference
if [ -z "${MSP_DATABASE_URL:-}${MSP_MEMCHECK_INNER:-}" ]; then
	MSP_MEMCHECK_INNER=1 exec sh "$src/tests/with-pg" bash "$0" "$bld"
fi
. "$src/tests/harness.sh"

rounds=${MSP_MEMCHECK_ROUNDS:-30}
state=$(mktemp -d "${TMPDIR:-/tmp}/msp-memcheck.XXXXXX")
chmod 755 "$state"	# nginx, unprivileged, reaches the socket below
cleanup() {
	"$src/scripts/msp-stack" stop "$state/stack" >/dev/null 2>&1
	rm -rf "$state"
}
trap cleanup EXIT
sql() { psql "$MSP_DATABASE_URL" -XAtqc "$1"; }
report() { "$bld/cli/msp-report" "$@"; }
t0=$(date +%s)

report db migrate -q && report db load-reference -q && reopen_reference ||
	{ echo "FAIL: setup"; exit 1; }
export MSP_SECRET_FILE=$state/secret
( umask 077; head -c 32 /dev/urandom > "$MSP_SECRET_FILE" )
team=$(report token create --kind team --identifier "MSP des Lilas, Albi" \
	--region occitanie 2>/dev/null)
fed=$(report token create --kind federation --region occitanie 2>/dev/null)
analyst=$(report token create --kind analyst 2>/dev/null)
sid=$(sql "SELECT max(structure_id) FROM msp.access_token WHERE kind = 'team'")
code_=$(sql "SELECT code FROM msp.study_code c JOIN msp.study s USING (study_id)
	WHERE s.slug = 'occitanie-2024' LIMIT 1")

# One round: every kind of request once, each status checked.  ROUND
# makes the keys and participant numbers of this round unique.
# form_fields URL: sets key and csrf from the hidden fields of a fresh form
form_fields() {
	local page; page=$(curl -s "$1")
	key=$(grep -o 'name="_key" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//;s/"$//')
	csrf=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//;s/"$//')
}
valid='{"study":"occitanie-2024","respondent_role":"coordinateur","answers":{"structure_type":"msp","aci_signatory":true,"project_validation_year":2015,"def_usager":"Un patient"}}'
one_round() {
	local n=$1 a=$base/api/v1 form=$base/forms/occitanie-2024 key csrf
	local json=(-H 'Content-Type: application/json')
	local tok=(-H "Authorization: Bearer $team")
	local iv='{"study":"occitanie-2024","participant_no":'$n',"profession":"IDE","interviewed_on":"2024-05-02","duration_min":45,"consent_recorded":true,"segments":[{"code":"'$code_'","verbatim_fr":"« On manque de temps. »"}]}'
	local w=(-s -o /dev/null -w '%{http_code} ')
	got=$(curl "${w[@]}" "$a/health" --next "${w[@]}" "$a/studies" \
	  --next "${w[@]}" "$a/studies/occitanie-2024/instrument" \
	  --next "${w[@]}" "$a/studies/nope/instrument" \
	  --next "${w[@]}" "${json[@]}" "${tok[@]}" -H "Idempotency-Key: mc-$n" --data-binary "$valid" "$a/responses" \
	  --next "${w[@]}" "${json[@]}" "${tok[@]}" -H "Idempotency-Key: mc-$n" --data-binary "$valid" "$a/responses" \
	  --next "${w[@]}" "${json[@]}" "${tok[@]}" --data-binary '{"study":' "$a/responses" \
	  --next "${w[@]}" "${json[@]}" "${tok[@]}" --data-binary '{"study":"occitanie-2024","answers":{"project_validation_year":1800,"colour":1}}' "$a/responses" \
	  --next "${w[@]}" "${json[@]}" "${tok[@]}" --data-binary $'{"study":"occitanie-2024","answers":{"def_usager":"\xff"}}' "$a/responses" \
	  --next "${w[@]}" "${json[@]}" --data-binary "$valid" "$a/responses" \
	  --next "${w[@]}" "${json[@]}" -H "Authorization: Bearer $fed" --data-binary "$valid" "$a/responses" \
	  --next "${w[@]}" -H 'Content-Type: text/plain' "${tok[@]}" --data-binary "$valid" "$a/responses" \
	  --next "${w[@]}" "${tok[@]}" "$a/responses?study=occitanie-2024&limit=5" \
	  --next "${w[@]}" "${tok[@]}" -H 'Accept: text/csv' "$a/responses?study=occitanie-2024" \
	  --next "${w[@]}" "${tok[@]}" "$a/responses?study=occitanie-2024&since=not-a-date" \
	  --next "${w[@]}" "${json[@]}" -H "Authorization: Bearer $analyst" --data-binary "$iv" "$a/interviews" \
	  --next "${w[@]}" "${json[@]}" -H "Authorization: Bearer $analyst" --data-binary "${iv/$code_/no_such_code}" "$a/interviews" \
	  --next "${w[@]}" "${tok[@]}" "$a/export" \
	  --next "${w[@]}" -X POST -d x=1 "$a/health" \
	  --next "${w[@]}" "$base/forms" \
	  --next "${w[@]}" "$base/forms/nope" \
	  --next "${w[@]}" "$base/forms/form.js" \
	  --next "${w[@]}" "$base/no/such/thing")
	eq "round $n: the API and 404s" "$got" \
		"200 200 200 404 201 200 400 422 400 401 403 415 200 200 400 201 422 200 405 200 404 200 404 "
	# health live and ready, and a scrape of /metrics on its local
	# listener (the shared counters, the socket's backlog by netlink)
	got=$(curl "${w[@]}" "$a/health/live" --next "${w[@]}" "$a/health/ready" \
	  --next "${w[@]}" "http://127.0.0.1:$MSP_METRICS_PORT/metrics")
	eq "round $n: live, ready, metrics" "$got" "200 200 200 "
	form_fields "$form"
	got=$(curl "${w[@]}" --data-binary "_key=$key&_structure=MSP+X&structure_type=esp" "$form" \
	  --next "${w[@]}" --data-binary "_key=$key&_csrf=$csrf&_structure=MSP+X&structure_type=msp&aci_signatory=oui&project_validation_year=1800&def_usager=%3Cb%3E&_action=submit" "$form" \
	  --next "${w[@]}" --data-binary "_key=$key&_csrf=$csrf&_structure=MSP+X&_role=leader&structure_type=msp&aci_signatory=oui&project_validation_year=2020&_action=submit" "$form" \
	  --next "${w[@]}" --data-binary "_key=$key&_csrf=$csrf&_action=resume&_resume=$(printf '0%.0s' {1..64})" "$form")
	eq "round $n: the forms" "$got" "403 422 200 404 "
	form_fields "$form"
	resume=$(curl -s --data-binary "_key=$key&_csrf=$csrf&_structure=ESP+Y&structure_type=esp&_action=save" "$form" |
		grep -o 'reprise=[0-9a-f]*' | head -1 | cut -d= -f2)
	eq "round $n: a resume link works" \
		"$(curl "${w[@]}" --data-binary "_key=$key&_csrf=$csrf&_action=resume&_resume=$resume" "$form")" "200 "
	# the workspace's pages under the session pages_signin opened: the
	# sign-in form, the space, a report's download, a report asked
	# badly, a sign-out without its CSRF token, a page without session;
	# the comparison, one asked badly, the region's
	# fieldwork monitor and another region's (refused).  The
	# reference studies are open here (submitted to): a federation's
	# report of an open study is refused (409), never counted
	# (docs/report.md, "Stored releases"); the stored releases are
	# read under the sanitizers (check_federation_release)
	local c=(-b "msp_session=$session")
	got=$(curl "${w[@]}" "$base/connexion" \
	  --next "${w[@]}" "${c[@]}" "$base/espace" \
	  --next "${w[@]}" "${c[@]}" "$base/reports/occitanie.csv" \
	  --next "${w[@]}" "${c[@]}" "$base/reports/occitanie?nsp=bad" \
	  --next "${w[@]}" "${c[@]}" --data "_csrf=1.0" "$base/deconnexion" \
	  --next "${w[@]}" "$base/reports/occitanie" \
	  --next "${w[@]}" "${c[@]}" "$base/reports/compare?a=occitanie&b=pays-de-la-loire" \
	  --next "${w[@]}" "${c[@]}" "$base/reports/compare?a=occitanie" \
	  --next "${w[@]}" "${c[@]}" "$base/fieldwork/occitanie-2024" \
	  --next "${w[@]}" "${c[@]}" "$base/fieldwork/pdl-2019.csv")
	eq "round $n: the pages" "$got" "200 200 409 400 403 303 409 400 200 403 "
}
requests_per_round=44	# above: 23 + live, ready, metrics + a page + 4 +
			# a page + a save + a resume + 10 pages

# pages_signin: signs the federation in as a browser would (the form's
# cookie and CSRF token); sets session.  pages_signout: out again.
pages_signin() {
	local page csrf jar=$state/jar
	page=$(curl -s -c "$jar" "$base/connexion")
	csrf=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$page" | sed 's/.*value="//;s/"$//')
	eq "the federation signs in" "$(curl -s -o /dev/null -w '%{http_code}' \
		-b "$jar" -c "$jar" --data "_csrf=$csrf&jeton=$fed" "$base/connexion")" 303
	session=$(awk '$6 == "msp_session" { print $7 }' "$jar")
}
pages_signout() {
	local csrf
	csrf=$(curl -s -b "msp_session=$session" "$base/espace" |
		grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
	eq "... and out" "$(curl -s -o /dev/null -w '%{http_code}' \
		-b "msp_session=$session" --data "_csrf=$csrf" "$base/deconnexion")" 303
}

# Submissions waiting together, stored in one call (migration 0021),
# and a refused call stored again one by one: the worker is stopped
# while they queue on its socket, so that it takes them all at once.
logged() { grep -c "$1" "$state/stack/log/msp-fcgi.log"; }
burst_round() {
	local n=$1 batches refused
	batches=$(logged '"batch":') refused=$(logged 'batch refused')
	eq "burst $n: each answered as if alone" "$(burst "$state/stack/msp-fcgi.pid" <<EOF
$team b$n-1 $valid
$team b$n-2 $valid
$team b$n-1 $valid
$team b$n-2 {"study":"occitanie-2024","answers":{}}
EOF
)" "200 201 201 422 "
	check "burst $n: stored in one call" [ "$(logged '"batch":')" -ge $((batches + 2)) ]
	# A federation's is refused alone by the call (migration 0026); a
	# structure that does not exist breaks a foreign key, which refuses
	# the call: then each is stored alone.
	eq "burst $n: a federation's and an unknown structure's refused, the others stored" "$(burst "$state/stack/msp-fcgi.pid" <<EOF
$team b$n-3 $valid
$fed b$n-4 $valid
$analyst b$n-5 {"study":"occitanie-2024","structure_id":2147483000,"answers":{}}
EOF
)" "201 403 422 "
	eq "burst $n: ... after the call was refused" "$(logged 'batch refused')" $((refused + 1))
}

# run ROUNDS: the stack under valgrind, one worker, ROUNDS rounds, then
# SIGTERM; the valgrind logs are left in $state/vg-ROUNDS.
run() {
	local n=$1 i vg=$state/vg-$1
	mkdir -p "$vg"
	MSP_FCGI_WORKERS=1 MSP_START_WAIT=60 MSP_FCGI_WRAPPER="valgrind \
--tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
--trace-children=yes --num-callers=30 --log-file=$vg/vg.%p.log" \
		start_stack "$state/stack"
	pages_signin
	for i in $(seq 1 "$n"); do one_round "$((n * 1000 + i))"; done
	pages_signout
	burst_round "$n"
	"$src/scripts/msp-stack" stop "$state/stack"
	check "msp-fcgi stopped on SIGTERM" [ ! -e "$state/stack/msp-fcgi.pid" ]
}

# The heap a worker held at exit: the bytes of valgrind's "in use at
# exit" line in the log of the process that served requests.
held_at_exit() {
	local f p
	# the worker's log is the one whose parent is a valgrind'd msp-fcgi
	f=$(grep -l 'Parent PID' "$1"/vg.*.log | while read -r l; do
		p=$(sed -n 's/^==[0-9]*== Parent PID: //p' "$l")
		[ -f "$1/vg.$p.log" ] && echo "$l"; done | head -1)
	sed -n 's/^==[0-9]*==   *in use at exit: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d ,
}

verdict() {	# DIR: every log clean
	local f errs
	for f in "$1"/vg.*.log; do
		errs=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f")
		if [ "$errs" != 0 ]; then
			fail "memcheck: ${errs:-no summary (killed?)} errors in $(basename "$f")"
			grep -A25 -m3 'Invalid\|uninitialised\|definitely lost in\|indirectly lost in' "$f" | head -80
		else
			ok "memcheck: no error, no definite or indirect leak in $(basename "$f")"
		fi
	done
}

run 1
short=$(held_at_exit "$state/vg-1")
verdict "$state/vg-1"
run $((1 + rounds))
long=$(held_at_exit "$state/vg-$((1 + rounds))")
verdict "$state/vg-$((1 + rounds))"
logs=$(ls "$state/vg-1" "$state/vg-$((1 + rounds))" | grep -c 'vg\.')
check "a parent and a worker log per run ($logs)" [ "$logs" -eq 4 ]
check "the worker's heap at exit is known ($short, $long)" \
	[ -n "$short" ] && [ -n "$long" ]
eq "the worker's heap at exit does not grow with requests" \
	"$(( ${long:-0} - ${short:-0} ))" 0
requests=$(( (2 + rounds) * requests_per_round + 2 * 7 + 2 * 4 ))
echo "figures: $requests requests in $(( $(date +%s) - t0 )) s under valgrind ($requests_per_round kinds x $((2 + rounds)) rounds in two runs, and two bursts of 7 submissions in all in each run); heap held at exit by the worker after $((requests_per_round + 7)) requests: ${short:-?} bytes, after $(( (1 + rounds) * requests_per_round + 7 )): ${long:-?} bytes"
finish
echo "all checks passed"
