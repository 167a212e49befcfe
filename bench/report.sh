#!/usr/bin/env bash
# bench/report.sh — the full region report over a large synthetic study.
#
#   bench/report.sh [BINDIR]            (default: build, the plain -O2 build)
#   RESPONSES=1000000 RUNS=5 COLD_RUNS=3 bench/report.sh
#
# Starts a private PostgreSQL cluster (fsync off: this measures reads),
# applies the migrations, loads the reference data and generates one
# synthetic Pays de la Loire study of $RESPONSES responses with
# `msp-report generate` (the PdL 2019 instrument, about 20 answers per
# response: 20 million answers for a million responses).  Then it times
# `msp-report --region pays-de-la-loire --study bench-report` with GNU
# time, and the same with --by usagers:
#   cold  COLD_RUNS runs, each with no cached table: the frequency
#         tables and the words come from the running totals of
#         migration 0014 (msp.answer_tally, msp.word_tally), and the
#         report keeps the tables (msp.report_cache); --by reads the
#         answers for its split tables;
#   warm  RUNS more runs while no data changes: the tables come from the
#         cache;
#   recount  once, --recount: the same report counted from the answers
#         themselves (one pass over the study's answers for the tables,
#         one over the open answers for their words), under row-level
#         security as a team's report always is;
#   federation view  COLD_RUNS runs of the owner's preview of a
#         federation's report (--as-federation: small cells suppressed,
#         counted; a federation's own token reads only the stored
#         releases of a closed, protected study, and this one is open),
#         then once with --recount.
# Prints every run's wall time and maximum resident size, the medians of
# the cold and warm runs, the load average and the largest resident
# size.  The report's own process
# is measured (the server's memory is the server's).
# Needs GNU time (apt-get install time).  Not part of make check.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
RESPONSES=${RESPONSES:-1000000}
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3}
report=$bin/cli/msp-report
[ -x "$report" ] || { echo "bench/report.sh: build first ($report)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/report.sh: GNU time is not installed (apt-get install time)" >&2; exit 1; }
if ! "$report" generate --help >/dev/null 2>&1; then
	echo "bench/report.sh: this msp-report cannot generate a synthetic study yet" >&2
	exit 1
fi

. "$src/bench/lib.sh"
bench_cluster bench-report --no-fsync
# the owner's report: no token, nothing suppressed, the cache in use
unset MSP_TOKEN MSP_DISCLOSURE_THRESHOLD
fcold=()
"$report" db migrate -q
"$report" db load-reference -q
echo "generating $RESPONSES responses..." >&2
"$report" generate --region pays-de-la-loire --responses "$RESPONSES" \
	--seed 1 --study-slug bench-report -q
psql "$MSP_DATABASE_URL" -XAtqc "VACUUM ANALYZE msp.answer" \
	-c "VACUUM ANALYZE msp.response" >/dev/null
psql "$MSP_DATABASE_URL" -XAtc "SELECT 'answers: ' || count(*) FROM msp.answer a
	JOIN msp.response r USING (response_id)
	JOIN msp.study s USING (study_id) WHERE s.slug = 'bench-report'"

echo "load average before the reports: $(cut -d' ' -f1-3 /proc/loadavg)"
maxkb=0
# run LABEL ARGS...: one timed report; its seconds in $secs
run() {
	local label=$1 kb
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$report" "$@" \
		>"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	read -r secs kb <"$work/time"
	[ "$kb" -gt "$maxkb" ] && maxkb=$kb
	printf '%-30s %7.2f s %6.1f MB\n' "$label" "$secs" \
		"$(awk -v kb="$kb" 'BEGIN { print kb / 1024 }')"
}

# median of the numbers on standard input
median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench NAME ARGS...: COLD_RUNS cold runs (the cache emptied before
# each), then RUNS warm runs, and the median of each
bench() {
	local name=$1 cold=() warm=() i
	shift
	for ((i = 1; i <= COLD_RUNS; i++)); do
		psql "$MSP_DATABASE_URL" -XAtqc "DELETE FROM msp.report_cache"
		run "$name, cold $i" "$@"
		cold+=("$secs")
	done
	for ((i = 1; i <= RUNS; i++)); do
		run "$name, warm $i" "$@"
		warm+=("$secs")
	done
	printf '%-30s %7.2f s\n' "$name, median cold" \
		"$(printf '%s\n' "${cold[@]}" | median)"
	printf '%-30s %7.2f s\n' "$name, median warm" \
		"$(printf '%s\n' "${warm[@]}" | median)"
}

bench "region report" --region pays-de-la-loire --study bench-report
run "region report, --recount" --region pays-de-la-loire \
	--study bench-report --recount
for ((i = 1; i <= COLD_RUNS; i++)); do
	run "federation view $i" --region pays-de-la-loire \
		--study bench-report --as-federation
	fcold+=("$secs")
done
printf '%-30s %7.2f s\n' "federation view, median" \
	"$(printf '%s\n' "${fcold[@]}" | median)"
run "federation view, --recount" --region pays-de-la-loire \
	--study bench-report --recount --as-federation
bench "--by usagers" --region pays-de-la-loire --study bench-report \
	--by usagers
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %7.1f MB\n' "max RSS" \
	"$(awk -v kb="$maxkb" 'BEGIN { print kb / 1024 }')"
