#!/usr/bin/env bash
# bench/submit-cost.sh — where the database's time per API submission goes.
#
#   bench/submit-cost.sh [BINDIR]    (default: build, the plain -O2 build)
#   RUNS=5 SECONDS_EACH=5 BATCH=16 bench/submit-cost.sh
#
# Starts a private PostgreSQL cluster, creates a team token, and times
# msp.api_submit (the one call the worker makes per POST /responses,
# with bench/api.sh's payload: four answers) from one pgbench client
# with synchronous_commit off: one call at a time, no commit wait, so
# the latency is the database's own work plus one loopback round trip.
# Then it switches the in-database mechanisms off one at a time (as the
# owner, on this throwaway cluster only) and times the call again:
#   audit        msp_audit triggers on response and answer (0005, 0023)
#   totals       running-totals trigger on answer (0014, 0019, 0024)
#   stamp        report cache's data-change triggers (0010)
#   item check   the answer-against-item check (0003, 0013, 0014, 0022)
#   policies     row-level security on response and answer (0006, 0012)
#   all triggers every trigger, foreign keys included, on both tables
#   bare         all triggers and policies off
# and, for scale, one INSERT of the same JSON payload into a bare table
# (what bench/api.sh's "bare-row ceiling" does, one row per submission).
# Each is also timed with BATCH (16) submissions per call of
# msp.api_submit_many, as a worker stores those waiting together
# (migration 0021), per submission.
# Each is timed next to a measure with everything on.  Prints, for
# each, the median over RUNS rounds of its mean latency in microseconds
# and of what switching it off saved against the measure paired with it.
# Not part of make check.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
RUNS=${RUNS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
BATCH=${BATCH:-16}
[ -x "$bin/cli/msp-report" ] || { echo "bench/submit-cost.sh: build first ($bin/cli/msp-report)" >&2; exit 1; }

. "$src/bench/lib.sh"
bench_cluster cost
bench_submission "$bin"

cat > "$work/submit.sql" <<SQL
\\set r random(1, 1000000000000)
SELECT msp.api_submit('$token', $study, 'c-' || :client_id || '-' || :r, NULL, 'coordinateur', true, NULL, '$answers');
SQL
# BATCH submissions in one msp.api_submit_many call, each its own key.
{
	echo '\set r random(1, 1000000000000)'
	printf "SELECT count(*) FROM msp.api_submit_many(('["
	for i in $(seq 1 "$BATCH"); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"token":"%s","study":%s,"key":"m%d-'"' || :client_id || '-' || :r || '"'","request":null,"role":"coordinateur","complete":true,"structure":null,"answers":%s}' \
			"$token" "$study" "$i" "$answers"
	done
	printf "]')::jsonb);\n"
} > "$work/many.sql"
bench_bare_rows

owner() { psql "$MSP_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
tables() {	# tables VERB WHAT: ALTER TABLE msp.response and msp.answer
	owner "ALTER TABLE msp.response $1 $2; ALTER TABLE msp.answer $1 $2"
}
# name | switch off | switch back on (everything on is measured next to each)
configs=(
	"audit|tables DISABLE 'TRIGGER audit_insert'|tables ENABLE 'TRIGGER audit_insert'"
	"totals|owner 'ALTER TABLE msp.answer DISABLE TRIGGER tally_insert'|owner 'ALTER TABLE msp.answer ENABLE TRIGGER tally_insert'"
	"stamp|tables DISABLE 'TRIGGER report_data_change'|tables ENABLE 'TRIGGER report_data_change'"
	"item check|owner 'ALTER TABLE msp.answer DISABLE TRIGGER \"Answers_match_items_insert\"'|owner 'ALTER TABLE msp.answer ENABLE TRIGGER \"Answers_match_items_insert\"'"
	"policies|tables DISABLE 'ROW LEVEL SECURITY'|tables ENABLE 'ROW LEVEL SECURITY'"
	"all triggers|tables DISABLE 'TRIGGER ALL'|tables ENABLE 'TRIGGER ALL'"
	"bare|tables DISABLE 'TRIGGER ALL'; tables DISABLE 'ROW LEVEL SECURITY'|tables ENABLE 'TRIGGER ALL'; tables ENABLE 'ROW LEVEL SECURITY'"
	"bare row|plain|"
)

# latency FILE: mean latency of one client, in microseconds
latency() {
	PGOPTIONS='-c synchronous_commit=off' "$pgbin/pgbench" -n -c 1 \
		-T "$SECONDS_EACH" -f "$1" "$MSP_WORKER_DATABASE_URL" \
		> "$work/pgbench.out" 2>&1 ||
		{ cat "$work/pgbench.out" >&2; exit 1; }
	sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$work/pgbench.out" |
		awk '{ printf "%.0f\n", $1 * 1000 }'
}

echo "== one client, synchronous_commit off, ${SECONDS_EACH}s per measure, $RUNS rounds"
# One warm-up pass (a new cluster's first writes are slow), then the
# statistics the plans are made from: empty tables' would have the
# workers' generic plans scan where an index serves (bench/api.sh).
latency "$work/submit.sql" >/dev/null
latency "$work/many.sql" >/dev/null
owner "ANALYZE"
# Each configuration is timed next to a measure with everything on (just
# before it in odd rounds, just after in even ones), and what it saves
# is the difference of the pair: the tables grow, and
# the machine's speed drifts, over a run, and a saving read against one
# early measure of everything on took that drift for its own.
# measure NAME FILE...: appends the round, NAME and one latency per
# FILE to results
measure() {
	local name=$1 line f
	shift
	line=$round$'\t'$name
	for f in "$@"; do
		line=$line$'\t'$(latency "$f")
	done
	printf '%s\n' "$line" >> "$work/results"
}
# measure_off NAME OFF ON: NAME measured after OFF, then ON
measure_off() {
	if [ "$2" = plain ]; then
		measure "$1" "$work/plain.sql"
		return
	fi
	eval "$2"
	measure "$1" "$work/submit.sql" "$work/many.sql"
	eval "$3"
}
for round in $(seq 1 "$RUNS"); do
	for c in "${configs[@]}"; do
		IFS='|' read -r name off on <<<"$c"
		# which of the pair goes first alternates between rounds
		if [ $((round % 2)) -eq 1 ]; then
			measure "full:$name" "$work/submit.sql" "$work/many.sql"
			measure_off "$name" "$off" "$on"
		else
			measure_off "$name" "$off" "$on"
			measure "full:$name" "$work/submit.sql" "$work/many.sql"
		fi
	done
done

# median EXPR NAME: the median over rounds of awk expression EXPR of a
# measure of NAME ($1 alone, $2 with BATCH per call) and of the measure
# of everything on paired with it ($3, $4), in µs per call.
median() {
	awk -F'\t' -v n="$2" '
		$2 == "full:" n { a[$1] = $3; b[$1] = $4 }
		$2 == n { x[$1] = $3; y[$1] = $4 }
		END { for (r in x) print x[r] "\t" y[r] "\t" a[r] "\t" b[r] }' \
		"$work/results" | awk -F'\t' "{ print $1 }" | bench_median %.0f
}
printf '%-34s %8s %8s %12s %8s\n' "msp.api_submit, 4 answers" "µs/call" "saved" \
	"µs/sub. x$BATCH" "saved"
full=$(awk -F'\t' '$2 ~ /^full:/ { print $3 }' "$work/results" | bench_median %.0f)
bfull=$(awk -F'\t' -v b="$BATCH" '$2 ~ /^full:/ { print $4 / b }' "$work/results" | bench_median %.0f)
printf '%-34s %8d %8s %12d %8s\n' "everything on" "$full" "" "$bfull" ""
for c in "${configs[@]}"; do
	IFS='|' read -r name _ _ <<<"$c"
	case $name in
	bare) label="no trigger, no policy" ;;
	"bare row") label="one bare row (no msp.api_submit)" ;;
	*) label="without $name" ;;
	esac
	if [ "$name" = "bare row" ]; then
		printf '%-34s %8d %8d\n' "$label" "$(median '$1' "$name")" \
			"$(median '$3 - $1' "$name")"
		continue
	fi
	printf '%-34s %8d %8d %12d %8d\n' "$label" "$(median '$1' "$name")" \
		"$(median '$3 - $1' "$name")" "$(median "\$2 / $BATCH" "$name")" \
		"$(median "(\$4 - \$2) / $BATCH" "$name")"
done
