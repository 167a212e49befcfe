#!/usr/bin/env bash
# bench/generate.sh — how long msp-report generate takes to load a
# synthetic study of 1,000,000 responses into a fresh database.
#
#   bench/generate.sh [OPTION]... [MSP_REPORT] [-- GENERATE_OPTION...]
#
#   MSP_REPORT        the msp-report binary (default build/cli/msp-report);
#                     build it first (an -O2 build without sanitizers for
#                     figures worth quoting): this script builds nothing
#   --no-fsync        start the cluster with fsync = off (the test
#                     harness's setting); the default keeps fsync = on
#   --responses N     responses to generate (default 1000000)
#   --runs N          how many loads, each into a fresh database of the
#                     same cluster (default 3); the median is printed
#   --region SLUG     region of the study (default pays-de-la-loire)
#   --keep            leave the cluster running and print where it is
#   GENERATE_OPTION   passed to msp-report generate (--instrument, --seed,
#                     --structures, --checked, ...)
#
# It starts a private cluster with scripts/pgcluster in a temporary
# directory; for each run it creates the database afresh, applies the
# migrations and the reference data and runs the generator, printing
# its phases, the elapsed time, the generator's maximum resident size
# and the load average.  Then the median elapsed time, the statements
# over a second of the last run and the size of each table.  The
# cluster is destroyed on exit unless --keep.  Needs GNU time.
# docs/generator.md records the figures measured with it.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=build/cli/msp-report
nofsync=""
responses=1000000
region=pays-de-la-loire
keep=0
runs=3
extra=()

while [ $# -gt 0 ]; do
	case $1 in
	--no-fsync) nofsync=--no-fsync ;;
	--responses) responses=$2; shift ;;
	--runs) runs=$2; shift ;;
	--region) region=$2; shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	-*) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
	*) bin=$1 ;;
	esac
	shift
done
[ -x "$bin" ] || { echo "generate.sh: $bin is not an executable (build it first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "generate.sh: GNU time is not installed (apt-get install time)" >&2; exit 2; }
case $runs in ''|*[!0-9]*|0) echo "generate.sh: --runs takes a number from 1" >&2; exit 2 ;; esac
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

dir=$(mktemp -d "${TMPDIR:-/tmp}/msp-bench-gen.XXXXXX")
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "cluster kept in $dir: $here/scripts/pgcluster destroy $dir"
	else
		"$here/scripts/pgcluster" destroy "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The source tree's schema and reference data, not an installed copy.
export MSP_MIGRATIONS_DIR=$here/sql/migrations
export MSP_REFERENCE_DIR=$here/sql/reference
export MSP_DATABASE_URL
MSP_DATABASE_URL=$("$here/scripts/pgcluster" start "$dir" $nofsync)
psql() { command psql -qXAt -v ON_ERROR_STOP=1 "$MSP_DATABASE_URL" "$@"; }

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: $(psql -c "SELECT 'PostgreSQL ' || current_setting('server_version')
	|| ', fsync=' || current_setting('fsync')
	|| ', shared_buffers=' || current_setting('shared_buffers')
	|| ', max_wal_size=' || current_setting('max_wal_size')")"
# Statements over a second go to the server log, printed at the end: the
# generator's progress lines say which phase, the log which statement.
psql -c "ALTER SYSTEM SET log_min_duration_statement = 1000" \
     -c "SELECT pg_reload_conf()" >/dev/null
admin_url=${MSP_DATABASE_URL/\/msp\?//postgres?}
times=()
for ((run = 1; run <= runs; run++)); do
	command psql -qXAt -v ON_ERROR_STOP=1 "$admin_url" \
		-c "DROP DATABASE IF EXISTS msp" -c "CREATE DATABASE msp"
	"$bin" db migrate --quiet
	"$bin" db load-reference --quiet
	log_start=$(wc -l < "$dir/server.log")
	echo "run $run: load average before $(cut -d' ' -f1-3 /proc/loadavg)"
	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$dir/rss" "$bin" generate --region "$region" \
		--responses "$responses" -q "${extra[@]}"
	end=$(date +%s.%N)
	secs=$(echo "$end - $start" | bc)
	times+=("$secs")
	printf 'run %d: %.1f s (whole command, connection included), %.1f MB resident, load average after %s\n' \
		"$run" "$secs" "$(awk -v kb="$(cat "$dir/rss")" 'BEGIN { print kb / 1024 }')" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 }
	END { if (NR % 2) print a[(NR + 1) / 2]
	      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
printf 'median of %d runs: %.1f s\n' "$runs" "$median"
echo "statements over 1 s (last run):"
tail -n +$((log_start + 1)) "$dir/server.log" |
	sed -e 's/WITH p AS (SELECT [^)]*) //' -e 's/  */ /g' |
	sed -n 's/.*duration: \([0-9.]*\) ms [a-z <>]*: *\(.\{0,90\}\).*/  \1 ms  \2/p'

echo "tables (rows of every study, reference included; size with indexes):"
psql -F '  ' <<'SQL'
SELECT rpad(t, 22), lpad(n::text, 10),
       lpad(pg_size_pretty(pg_total_relation_size(('msp.' || t)::regclass)),
            10)
  FROM (VALUES ('structure', (SELECT count(*) FROM msp.structure)),
               ('structure_staff', (SELECT count(*) FROM msp.structure_staff)),
               ('population', (SELECT count(*) FROM msp.population)),
               ('contact', (SELECT count(*) FROM msp.contact)),
               ('response', (SELECT count(*) FROM msp.response)),
               ('answer', (SELECT count(*) FROM msp.answer))) v (t, n);
SELECT rpad('msp_audit.log', 22), lpad(count(*)::text, 10),
       lpad(pg_size_pretty(pg_total_relation_size('msp_audit.log')), 10)
  FROM msp_audit.log;
SELECT rpad('database', 22), lpad('', 10),
       lpad(pg_size_pretty(pg_database_size(current_database())), 10);
SQL
