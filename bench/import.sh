#!/usr/bin/env bash
# bench/import.sh — how long msp-report export and import take on a
# synthetic study, and what they hold in memory.
#
#   bench/import.sh [OPTION]... [MSP_REPORT]
#
#   MSP_REPORT        the msp-report binary (default build/cli/msp-report);
#                     build it first (a build without sanitizers for
#                     figures worth quoting): this script builds nothing
#   --responses N     responses to generate (default 100000)
#   --runs N          imports into the emptied study (default 3): the
#                     rate printed is their median
#   --no-fsync        start the cluster with fsync = off
#
# It starts a private cluster with scripts/pgcluster in a temporary
# directory, loads the schema, the reference data and a synthetic
# Occitanie study (msp-report generate), exports the study, then --runs
# times deletes its responses and imports the export back; imports it
# once more (every row then already imported), exports again and
# compares the two CSVs without their response_id column.  Each step
# prints its command, elapsed time, rate and maximum resident size (GNU
# time), with the load average, since the machine may be shared; the
# last line is the median import rate and the largest resident size,
# against the targets (3,000 responses/s, 50 MB).  docs/import-export.md
# records the figures measured with it.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=build/cli/msp-report
nofsync=""
responses=100000
runs=3

while [ $# -gt 0 ]; do
	case $1 in
	--no-fsync) nofsync=--no-fsync ;;
	--responses) responses=$2; shift ;;
	--runs) runs=$2; shift ;;
	-h|--help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "import.sh: unknown option $1" >&2; exit 2 ;;
	*) bin=$1 ;;
	esac
	shift
done
[ -x "$bin" ] || { echo "import.sh: $bin is not an executable (build it first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "import.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

dir=$(mktemp -d "${TMPDIR:-/tmp}/msp-bench-import.XXXXXX")
trap '"$here/scripts/pgcluster" destroy "$dir"' EXIT
trap 'exit 1' INT TERM HUP

export MSP_MIGRATIONS_DIR=$here/sql/migrations
export MSP_REFERENCE_DIR=$here/sql/reference
export MSP_DATABASE_URL
MSP_DATABASE_URL=$("$here/scripts/pgcluster" start "$dir" $nofsync)
psql() { command psql -qXAt -v ON_ERROR_STOP=1 "$MSP_DATABASE_URL" "$@"; }

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: PostgreSQL $(psql -c "SHOW server_version"), fsync=$(psql -c "SHOW fsync")"
"$bin" db migrate --quiet
"$bin" db load-reference --quiet
"$bin" generate --region occitanie --responses "$responses" --seed 7 >/dev/null
study=$(psql -c "SELECT slug FROM msp.study WHERE synthetic
                 ORDER BY study_id DESC LIMIT 1")
answers=$(psql -c "SELECT count(*) FROM msp.answer a JOIN msp.response r
                   USING (response_id) JOIN msp.study s USING (study_id)
                   WHERE s.slug = '$study'")
echo "study: $study, $responses responses, $answers answers"

mkdir "$dir/first" "$dir/again"
# step WHAT COMMAND...: runs it under GNU time; prints the command, the
# load average before it, its time and peak resident size, and leaves
# them in $seconds and $rss_kib.
step() {
	local what=$1 out; shift
	echo "\$ $*  # load average $(cut -d' ' -f1-3 /proc/loadavg)"
	out=$(mktemp "$dir/time.XXXXXX")
	/usr/bin/time -o "$out" -f "%e %M" "$@"
	read -r seconds rss_kib < "$out"
	echo "$what: $seconds s, max RSS $rss_kib KiB"
}
cd "$dir/first"
step export "$bin" export --study "$study" >/dev/null
echo "CSV: $(stat -c %s "$study.csv") bytes"
rates=() max_rss=0
for run in $(seq 1 "$runs"); do
	# TRUNCATE, not DELETE: the per-row delete trigger of the totals
	# takes over 15 minutes for 20,000 responses on this machine.  It
	# empties every study (the reference ones too) and leaves the
	# totals as they were: the figures here are the import's alone.
	psql -c "TRUNCATE msp.response CASCADE"
	step "import $run/$runs" "$bin" import --study "$study" -m "$study.map" "$study.csv"
	rate=$(awk -v n="$responses" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
	echo "import $run/$runs: $rate responses/s"
	rates+=("$rate")
	[ "$rss_kib" -gt "$max_rss" ] && max_rss=$rss_kib
done
step re-import "$bin" import --study "$study" -m "$study.map" "$study.csv"
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ r[NR] = $1 }
	END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
echo "import of $responses responses: median $median responses/s over $runs runs" \
     "(target >= 3000), max RSS $((max_rss * 1024 / 1000000)) MB (target <= 50 MB)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$dir/again"
step "export again" "$bin" export --study "$study" >/dev/null
if cmp -s <(cut -d, -f2- "$dir/first/$study.csv") <(cut -d, -f2- "$study.csv"); then
	echo "round trip: the two exports agree but for response_id"
else
	echo "round trip: the two exports DIFFER"
	exit 1
fi
