#!/usr/bin/env bash
# bench/ceiling.sh — what the HTTP stack could carry if the database did
# less per submission, or did it later: the API as it stores a
# submission, against three stand-ins for msp.api_submit_many, on one
# stack, alternated in one run.
#
#   bench/ceiling.sh [BINDIR]   (default: build, the plain -O2 build)
#
#   full  msp.api_submit_many as sql/functions/ defines it: the response
#         and its answers, their triggers (audit, running totals,
#         checks), foreign keys and policies, all in the acknowledging
#         transaction;
#   row   a stand-in that checks each token (msp.enter, as full does) and
#         stores each submission as one JSON row under a unique key,
#         durably, and nothing else: the most a design could carry that
#         acknowledged such a raw row and built the response from it
#         later;
#   staged  the row stand-in (into a table of its own) while an expander
#         session builds the real thing from the rows it stored, during
#         the run and after it: it takes the oldest EXPAND (1000) rows,
#         stores them with the real msp.api_submit_many, as the token
#         that sent them, deletes them, commits, and starts again.  What
#         a design that acknowledged a raw row would carry with its
#         expansion running beside it; besides the rate, the run prints
#         the rows left when wrk stopped, how long the expander then
#         took to store them, and the rate from the first request to
#         the last submission stored in full;
#   none  a stand-in that stores nothing and answers as if it had stored
#         everything (one read-only round trip per call, no commit to
#         wait for): nginx, the worker's parsing and validation, the
#         FastCGI and libpq hops, and nothing durable.
# The stand-ins replace the call that stores two or more submissions
# waiting together; one that comes alone (about 1 in 100 under this
# load: the runs print it) is still stored by msp.api_submit.
#
# After WARMUP (10) s of the real thing, not measured, an ANALYZE and a
# CHECKPOINT,
# each is timed ROUNDS (3) times for DURATION (10) s of wrk at
# CONNECTIONS (32), the order rotating from round to round (the machine
# drifts); the stack is restarted between runs, so every worker
# prepares its statements against the function then in place.  Prints
# every run, the medians, their ratios to full, and checks that every
# submission full, row and staged acknowledged is stored exactly once
# (staged: in full, by the expander).
# Needs wrk.  Loopback only.  Not part of make check.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
. "$src/scripts/ports.sh"
command -v wrk >/dev/null || { echo "bench/ceiling.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin/fcgi/msp-fcgi" ] || { echo "bench/ceiling.sh: build first ($bin/fcgi/msp-fcgi)" >&2; exit 1; }

. "$src/bench/lib.sh"
bench_cluster ceiling
bench_submission "$bin"

sql() { psql "$MSP_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 "$@"; }

# The variants are files: full is the function file itself, the
# stand-ins are in bench/ceiling/ (staged: row's, into its own table).
cp "$src/sql/functions/msp.api_submit_many.sql" "$work/full.sql"
sql -c "CREATE TABLE public.bench_inbox (
	    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	    k text NOT NULL UNIQUE,
	    body jsonb NOT NULL)" \
    -c "GRANT INSERT, SELECT ON public.bench_inbox TO msp_team, msp_analyst"
cp "$src/bench/ceiling/row.sql" "$work/row.sql"
sql -c "CREATE TABLE public.bench_staged (LIKE public.bench_inbox INCLUDING ALL)" \
    -c "GRANT INSERT, SELECT, DELETE ON public.bench_staged TO msp_team, msp_analyst, msp_worker"
sed 's/public\.bench_inbox/public.bench_staged/' "$work/row.sql" > "$work/staged.sql"
# The expander: the real function under a name of its own, and a loop
# (bench/ceiling/expand.sql) that feeds it the staged rows, the token
# put back, one transaction per EXPAND rows.
sed 's/FUNCTION msp\.api_submit_many(/FUNCTION public.bench_submit_full(/' \
	"$work/full.sql" | sql >/dev/null
sql -c "GRANT EXECUTE ON FUNCTION public.bench_submit_full(jsonb) TO msp_worker" >/dev/null
sql -f "$src/bench/ceiling/expand.sql" >/dev/null
# expand UNTIL: runs the expander until the staged table is empty and
# UNTIL (a timestamp) has passed.  Without JIT: at a thousand
# submissions per call the planner takes the running totals' word split
# for a thousand words per answer, and compiling the statement for
# that costs 25 ms or more per call.
expand() {
	psql "$MSP_WORKER_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 \
		-c "SET jit = off" \
		-c "CALL public.bench_expand('$token', ${EXPAND:-1000}, '$1')"
}
cp "$src/bench/ceiling/none.sql" "$work/none.sql"

bench_stack "$bin"
# use VARIANT: puts that msp.api_submit_many in place, restarts the
# stack, and gives the new workers and their database sessions 2 s of
# the load, not measured (their first requests load the instruments,
# prepare statements and fill the sessions' caches)
use() {
	sql -f "$work/$1.sql" >/dev/null
	"$src/scripts/msp-stack" stop "$work/stack" >/dev/null
	"$src/scripts/msp-stack" start "$work/stack" "$bin/fcgi" >/dev/null
	DURATION=2 bench_post "warm-$1-$r" >/dev/null
	if [ "$1" = staged ]; then expand now; fi
}

# post_staged PREFIX: bench_post with the expander running beside it;
# sets backlog, drain (s) and e2e (submissions stored in full per second,
# from the first request to the end of the expansion)
post_staged() {
	local t0 t1 t2
	t0=$(date +%s.%N)
	# Until wrk stops, not merely until the table is first empty: an
	# expander that keeps up empties it many times during the run.
	expand "$(date -d "@$(awk -v a="$t0" -v d="$DURATION" \
		'BEGIN { printf "%.3f", a + d }')" '+%F %T.%N %z')" &
	local pid=$!
	bench_post "$1"
	t1=$(date +%s.%N)
	backlog=$(sql -c "SELECT count(*) FROM public.bench_staged")
	wait "$pid"
	t2=$(date +%s.%N)
	read -r drain e2e < <(awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$acked" \
		'BEGIN { printf "%.2f %.0f\n", c - b, n / (c - a) }')
	printf 'staged: %d rows left as wrk stopped, stored in full %.2f s later; %d submissions/s stored in full, first request to last\n' \
		"$backlog" "$drain" "$e2e"
}

# As in bench/api.sh: the load itself warms the new cluster up (WAL
# segments created, then recycled after the checkpoint; statistics).
echo "== warm-up: the API as it is, ${WARMUP}s (not measured)"
DURATION=$WARMUP bench_post warm >/dev/null
sql -c "ANALYZE" -c "CHECKPOINT"

variants=(full row staged none)
declare -A runs p99s acks
for v in "${variants[@]}"; do runs[$v]=""; p99s[$v]=""; acks[$v]=0; done
drains="" e2es=""
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < ${#variants[@]}; i++)); do
		v=${variants[(i + r) % ${#variants[@]}]}
		use "$v"
		echo "-- round $((r + 1)): $v"
		if [ "$v" = staged ]; then
			post_staged "$v$r"
			drains+="$drain "; e2es+="$e2e "
		else
			bench_post "$v$r"
		fi
		runs[$v]+="$rps "; p99s[$v]+="$p99 "
		acks[$v]=$((acks[$v] + acked))
		if [ "$failed" -ne 0 ] || [ "$sockerr" -ne 0 ] || [ "$timeouts" -ne 0 ]; then
			echo "bench/ceiling.sh: $v: errors under load" >&2
			exit 1
		fi
	done
done

echo "== medians of $ROUNDS runs each"
full=$(bench_median <<<"${runs[full]}")
for v in "${variants[@]}"; do
	m=$(bench_median <<<"${runs[$v]}")
	awk -v v="$v" -v m="$m" -v p="$(bench_median <<<"${p99s[$v]}")" -v f="$full" \
		'BEGIN { printf "%-6s %6.0f requests/s, p99 %6.2f ms, %.2f x full\n", v, m, p, m / f }'
done
printf 'staged, stored in full: %s submissions/s first request to last, the last %s s after wrk stopped\n' \
	"$(bench_median <<<"$e2es")" "$(bench_median <<<"$drains")"

stored_full=$(sql -c "SELECT count(*) FROM msp.response WHERE idempotency_key ~ '^api:[0-9]+:full[0-9]+-'")
dups_full=$(sql -c "SELECT count(*) - count(DISTINCT idempotency_key) FROM msp.response")
# A submission that came alone was stored by msp.api_submit, as always
# (the worker calls msp.api_submit_many for two or more): look in both.
stored_row=$(sql -c "SELECT (SELECT count(*) FROM public.bench_inbox WHERE k ~ '^row[0-9]+-')
                          + (SELECT count(*) FROM msp.response WHERE idempotency_key ~ '^api:[0-9]+:row[0-9]+-')")
# Stored in full by the expander, or alone by msp.api_submit; nothing
# may be left staged.
stored_staged=$(sql -c "SELECT count(*) FROM msp.response WHERE idempotency_key ~ '^api:[0-9]+:staged[0-9]+-'")
left_staged=$(sql -c "SELECT count(*) FROM public.bench_staged")
# wrk counts requests finished in its window; the database may hold a
# few more that were stored while wrk was stopping (never fewer).
printf 'full: acknowledged %d, stored %d, duplicate keys %d; row: acknowledged %d, stored %d; staged: acknowledged %d, stored in full %d, left %d\n' \
	"${acks[full]}" "$stored_full" "$dups_full" "${acks[row]}" "$stored_row" \
	"${acks[staged]}" "$stored_staged" "$left_staged"
if [ "$stored_full" -lt "${acks[full]}" ] || [ "$dups_full" -ne 0 ] ||
   [ "$stored_row" -lt "${acks[row]}" ] ||
   [ "$stored_staged" -lt "${acks[staged]}" ] || [ "$left_staged" -ne 0 ]; then
	echo "LOST OR DUPLICATED SUBMISSIONS" >&2
	exit 1
fi
