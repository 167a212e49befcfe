#!/usr/bin/env bash
# bench/pages.sh — a federation's report pages over a large closed study,
# in server time (issue 19 item 4).
#
#   bench/pages.sh [BINDIR]        (default: build, the plain -O2 build)
#   RESPONSES=1000000 RUNS=7 DURATION=30 bench/pages.sh
#   bench/pages.sh --help
#
# Starts a private PostgreSQL cluster (fsync off), applies the
# migrations, loads the reference data, generates one synthetic Pays de
# la Loire study of $RESPONSES responses (`msp-report generate`, the PdL
# 2019 instrument: about 20 answers a response) and closes it with
# `msp-report study close`, which builds its cross-tabulations
# (migration 0047), then protects the study: its plan, and every report
# a federation may read stored (docs/report.md, "Stored releases"); both
# are timed once.  Then it starts nginx and
# msp-fcgi (msp-stack, MSP_FCGI_WORKERS, default 2), signs a Pays de la
# Loire federation in through /connexion for a session cookie, and
# measures, in msp-fcgi's own per-request time (the "ms" of its log
# line: the server's time, without the client's or nginx's):
#   cold     RUNS requests one after the other of
#            /reports/pays-de-la-loire?study=bench-pages (the region
#            page) and of the same with &by=usagers (a --by page); a
#            federation counts nothing: each request reads the stored
#            release (msp.federation_release_get) and renders it;
#   loaded   each page for DURATION s by wrk with CONNECTIONS (8)
#            connections, while a second wrk posts team submissions
#            (POST /api/v1/responses, 2 connections) to the open
#            occitanie-2024 study;
# and prints the median (and, loaded, the 90th percentile) of each, the
# submissions acknowledged meanwhile, and that every acknowledged one is
# stored in full (its four answers).  Targets: region page <= 300 ms,
# --by page <= 1 s.  Needs wrk, curl and GNU time.  Not part of make
# check; run it once (the generation of a million responses takes long).
set -euo pipefail
case ${1:-} in
-h|--help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0 ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
RESPONSES=${RESPONSES:-1000000}
RUNS=${RUNS:-7}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-8}
report=$bin/cli/msp-report
[ -x "$report" ] || { echo "bench/pages.sh: build first ($report)" >&2; exit 1; }
for tool in wrk curl /usr/bin/time; do
	command -v "$tool" >/dev/null ||
		{ echo "bench/pages.sh: $tool is not installed" >&2; exit 1; }
done

. "$src/bench/lib.sh"
. "$src/scripts/ports.sh"
bench_cluster bench-pages --no-fsync
bench_submission "$bin"		# migrates, loads, opens occitanie-2024
unset MSP_TOKEN
region=pays-de-la-loire
study=bench-pages

echo "generating $RESPONSES responses..." >&2
/usr/bin/time -f "%e" -o "$work/time" "$report" generate --region "$region" \
	--responses "$RESPONSES" --seed 1 --study-slug "$study" -q
printf '%-34s %8.1f s\n' "generate $RESPONSES responses" "$(cat "$work/time")"
psql "$MSP_DATABASE_URL" -XAtqc "VACUUM ANALYZE msp.answer" \
	-c "VACUUM ANALYZE msp.response" >/dev/null
/usr/bin/time -f "%e" -o "$work/time" "$report" study close "$study" >/dev/null
printf '%-34s %8.1f s\n' "close (cross-tabulations, protection)" \
	"$(cat "$work/time")"
psql "$MSP_DATABASE_URL" -XAtqc "VACUUM ANALYZE msp.study_crosstab" >/dev/null
psql "$MSP_DATABASE_URL" -XAtc "SELECT 'cross-tabulation rows: ' || count(*)
	|| ', splits: ' || count(DISTINCT split) FROM msp.study_crosstab c
	JOIN msp.study s USING (study_id) WHERE s.slug = '$study'"

fed=$(MSP_SECRET_FILE=$work/secret "$report" token create --kind federation \
	--region "$region" 2>/dev/null)
bench_stack "$bin"
base=http://127.0.0.1:$MSP_HTTP_PORT
log=$work/stack/log/msp-fcgi.log

# the sign-in form's key (a cookie) and CSRF token, then the session
jar=$work/cookies
curl -s -c "$jar" -o "$work/signin.html" "$base/connexion"
csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$work/signin.html" |
	head -n 1)
curl -s -b "$jar" -c "$jar" -o /dev/null \
	--data-urlencode "_csrf=$csrf" --data-urlencode "jeton=$fed" \
	"$base/connexion"
session=$(awk '$6 == "msp_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "bench/pages.sh: the sign-in gave no session" >&2; exit 1; }

page=/reports/$region?study=$study
by_page="$page&by=usagers"
code=$(curl -s -o "$work/page.html" -w '%{http_code}' \
	-b "msp_session=$session" "$base$by_page")
[ "$code" = 200 ] || { echo "bench/pages.sh: $by_page answered $code" >&2; exit 1; }
grep -q 'usagers' "$work/page.html"

# server times (ms) of the GET /reports lines logged since offset $1
server_ms() {
	tail -c +"$(($1 + 1))" "$log" |
		awk '/"method":"GET","path":"\/reports\// {
			if (match($0, /"ms":[0-9.]+/))
				print substr($0, RSTART + 5, RLENGTH - 5) }'
}
p90() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR * 9 + 9) / 10)] }'
}

cold() {
	local label=$1 url=$2 start i
	start=$(stat -c %s "$log")
	for ((i = 1; i <= RUNS; i++)); do
		curl -s -o /dev/null -b "msp_session=$session" "$base$url"
	done
	printf '%-34s %8.1f ms  (%s runs: %s)\n' "$label, median" \
		"$(server_ms "$start" | bench_median)" "$RUNS" \
		"$(server_ms "$start" | tr '\n' ' ')"
}

loaded() {
	local label=$1 url=$2 start posted
	start=$(stat -c %s "$log")
	KEY_PREFIX="pages-$RANDOM" wrk -t1 -c2 -d"${DURATION}s" \
		-s "$work/post.lua" "$base/api/v1/responses" \
		> "$work/post.out" &
	posted=$!
	wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
		-H "Cookie: msp_session=$session" "$base$url" > "$work/get.out"
	wait "$posted"
	server_ms "$start" > "$work/ms"
	printf '%-34s %8.1f ms median, %.1f ms p90, %d pages; %d submissions acknowledged\n' \
		"$label, $CONNECTIONS readers" \
		"$(bench_median < "$work/ms")" "$(p90 < "$work/ms")" \
		"$(wc -l < "$work/ms")" \
		"$(awk '/^RESULT/ { print $5 }' "$work/post.out")"
	grep -q 'Non-2xx' "$work/get.out" &&
		{ echo "bench/pages.sh: some pages failed" >&2; cat "$work/get.out" >&2; exit 1; }
	return 0
}

echo "load average before the pages: $(cut -d' ' -f1-3 /proc/loadavg)"
cold "region page, cold" "$page"
cold "--by usagers page, cold" "$by_page"
loaded "region page" "$page"
loaded "--by usagers page" "$by_page"

# every acknowledged submission is stored in full: its four answers
psql "$MSP_DATABASE_URL" -XAt -v ON_ERROR_STOP=1 -c "
	SELECT 'submissions stored: ' || count(*) || ', with all four answers: '
	       || count(*) FILTER (WHERE (SELECT count(*) FROM msp.answer a
	                                   WHERE a.response_id = r.response_id) = 4)
	  FROM msp.response r JOIN msp.study s USING (study_id)
	 WHERE s.slug = 'occitanie-2024' AND r.idempotency_key LIKE 'api:%:pages-%'" ||
	psql "$MSP_DATABASE_URL" -XAtc "
	SELECT 'submissions to occitanie-2024 now: ' || count(*)
	  FROM msp.response r JOIN msp.study s USING (study_id)
	 WHERE s.slug = 'occitanie-2024'"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
