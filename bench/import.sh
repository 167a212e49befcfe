#!/usr/bin/env bash
# bench/import.sh — how long msp-report export and import take on a
# synthetic study, and what they hold in memory.
#
#   bench/import.sh [OPTION]... [MSP_REPORT]
#
#   MSP_REPORT        the msp-report binary (default build/cli/msp-report);
#                     build it first (a build without sanitizers for
#                     figures worth quoting): this script builds nothing
#   --responses N     responses to generate (default 20000)
#   --no-fsync        start the cluster with fsync = off
#
# It starts a private cluster with scripts/pgcluster in a temporary
# directory, loads the schema, the reference data and a synthetic
# Occitanie study (msp-report generate), exports the study, deletes its
# responses, imports the export back, imports it once more (every row
# then already imported), exports again and compares the two CSVs
# without their response_id column.  Each step prints its elapsed time
# and maximum resident size (GNU time).  docs/import-export.md records
# the figures measured with it.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=build/cli/msp-report
nofsync=""
responses=20000

while [ $# -gt 0 ]; do
	case $1 in
	--no-fsync) nofsync=--no-fsync ;;
	--responses) responses=$2; shift ;;
	-h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
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
step() { local what=$1; shift; /usr/bin/time -f "$what: %e s, max RSS %M KiB" "$@"; }
cd "$dir/first"
step export "$bin" export --study "$study" >/dev/null
echo "CSV: $(stat -c %s "$study.csv") bytes"
psql -c "DELETE FROM msp.response r USING msp.study s
         WHERE s.study_id = r.study_id AND s.slug = '$study'"
step import "$bin" import --study "$study" -m "$study.map" "$study.csv"
step re-import "$bin" import --study "$study" -m "$study.map" "$study.csv"
cd "$dir/again"
step "export again" "$bin" export --study "$study" >/dev/null
if cmp -s <(cut -d, -f2- "$dir/first/$study.csv") <(cut -d, -f2- "$study.csv"); then
	echo "round trip: the two exports agree but for response_id"
else
	echo "round trip: the two exports DIFFER"
	exit 1
fi
