# bench/lib.sh — what the benchmarks that start their own cluster share.
# Sourced, after `set -euo pipefail` and with $src set:
#
#   bench_cluster NAME [--no-fsync]
#       makes $work (removed at exit, with the cluster and any stack in
#       $work/stack), starts a private PostgreSQL cluster in $work/pg,
#       exports its MSP_* variables and the migration and reference
#       directories, and sets $pgbin (where pgbench is).
#   bench_submission BINDIR
#       migrates, loads the reference data and creates an Occitanie team
#       token; sets $token, $study, $payload (a valid POST /responses
#       body with four answers) and $answers (the same answers as
#       msp.api_submit reads them, as the worker sends them).
#   bench_bare_rows
#       creates a bare table (its own key, no trigger, no policy) that
#       msp_worker may insert into, and $work/plain.sql, a pgbench script
#       inserting $payload into it: one row per submission.
#   bench_median [FORMAT]
#       prints the median of the numbers on its input, one per line or
#       separated by blanks (of an even count, the lower middle one), in
#       printf FORMAT (default %s).
#   bench_stack BINDIR
#       starts nginx and msp-fcgi (MSP_FCGI_WORKERS, default 2) in
#       $work/stack on MSP_HTTP_PORT / MSP_HTTPS_PORT if set, else on
#       free ports, rate limit out of the way, and writes
#       $work/post.lua, the wrk script bench_post uses.
#   bench_post PREFIX
#       wrk POSTs $payload for DURATION s at CONNECTIONS connections,
#       each request with its own Idempotency-Key PREFIX-thread-n;
#       prints its figures and how many submissions each database call
#       stored, and sets rps, p50, p99, acked, failed, sockerr and
#       timeouts.

bench_cluster() {
	local name=$1
	shift
	work=$(mktemp -d "${TMPDIR:-/tmp}/msp-$name.XXXXXX")
	chmod 755 "$work"	# the server may run as postgres
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	# the disclosure module of the build measured (BINDIR/pg)
	"$src/scripts/pgcluster" start "$work/pg" "$@" \
		--module-dir "${bin:-$src/build}/pg" >/dev/null
	. "$work/pg/env"
	export MSP_DATABASE_URL MSP_WORKER_DATABASE_URL \
		MSP_MIGRATIONS_DIR=$src/sql/migrations \
		MSP_REFERENCE_DIR=$src/sql/reference
	pgbin=$(dirname "$(command -v pg_ctl 2>/dev/null ||
		echo /usr/lib/postgresql/15/bin/pg_ctl)")
	[ -x "$pgbin/pgbench" ] || pgbin=/usr/lib/postgresql/15/bin
}

bench_cleanup() {
	if [ -d "$work/stack" ]; then
		"$src/scripts/msp-stack" stop "$work/stack" >/dev/null 2>&1 || true
	fi
	"$src/scripts/pgcluster" stop "$work/pg" >/dev/null 2>&1 || true
	rm -rf "$work"
}

bench_submission() {
	local bin=$1
	export MSP_SECRET_FILE=$work/secret
	head -c 32 /dev/urandom > "$MSP_SECRET_FILE"
	"$bin/cli/msp-report" db migrate -q
	"$bin/cli/msp-report" db load-reference -q
	# the reference studies are closed (migration 0028): the benchmark
	# submits to occitanie-2024
	"$bin/cli/msp-report" study reopen occitanie-2024 >/dev/null
	token=$("$bin/cli/msp-report" token create --kind team \
		--identifier bench --region occitanie 2>/dev/null)
	study=$(psql "$MSP_DATABASE_URL" -XAtqc \
		"SELECT study_id FROM msp.study WHERE slug = 'occitanie-2024'")
	payload='{"study":"occitanie-2024","respondent_role":"coordinateur","answers":{"structure_type":"msp","aci_signatory":true,"project_validation_year":2015,"def_usager":"Une personne qui consulte"}}'
	answers='[{"k":"structure_type","c":"msp"},{"k":"aci_signatory","b":true},{"k":"project_validation_year","n":"2015"},{"k":"def_usager","t":"Une personne qui consulte"}]'
}

bench_bare_rows() {
	psql "$MSP_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 \
		-c "CREATE TABLE public.bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body jsonb NOT NULL)" \
		-c "GRANT INSERT ON public.bench_plain TO msp_worker"
	printf "INSERT INTO public.bench_plain (body) VALUES ('%s');\n" \
		"$payload" > "$work/plain.sql"
}

bench_median() {
	tr -s ' \t' '\n\n' | sed '/^$/d' | sort -g |
		awk -v f="${1:-%s}" '{ v[NR] = $1 }
			END { if (NR) printf f "\n", v[int((NR + 1) / 2)] }'
}

bench_stack() {
	local bin=$1
	mkdir -p "$work/stack"
	export MSP_HTTP_PORT MSP_HTTPS_PORT \
		MSP_FCGI_WORKERS=${MSP_FCGI_WORKERS:-2} \
		MSP_RATE_LIMIT=1000000 MSP_RATE_BURST=1000000
	# ports given in the environment are kept (a shared machine
	# hands each person theirs); else free ones
	MSP_HTTP_PORT=${MSP_HTTP_PORT:-$(pick_port)}
	MSP_HTTPS_PORT=${MSP_HTTPS_PORT:-$(pick_port)}
	"$src/scripts/msp-stack" start "$work/stack" "$bin/fcgi" >/dev/null
	cat > "$work/post.lua" <<LUA
local counter = 0
local prefix = os.getenv("KEY_PREFIX")
ok, bad = 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.body = '$payload'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer $token"
end
-- JUNK_EVERY=N: every Nth request carries a random 64-hex token
-- instead of the team's, as a client guessing tokens would (401).
local junk_every = tonumber(os.getenv("JUNK_EVERY") or "0")
function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. id .. "-" .. counter
  if junk_every > 0 and counter % junk_every == 0 then
    local t = {}
    for i = 1, 8 do t[i] = string.format("%08x", math.random(0, 0x7fffffff)) end
    wrk.headers["Authorization"] = "Bearer " .. table.concat(t)
  else
    wrk.headers["Authorization"] = "Bearer $token"
  end
  return wrk.format()
end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local acked, failed = 0, 0
  for _, t in ipairs(threads) do
    acked = acked + t:get("ok")
    failed = failed + t:get("bad")
  end
  -- A request that times out (2 s) is not in the latency figures:
  -- count it, or a stalled connection would flatter p99.
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d %d %.1f\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    acked, failed, e.connect + e.read + e.write, e.timeout,
    acked / (summary.duration / 1e6)))
end
LUA
}

bench_post() {
	echo "== wrk: $CONNECTIONS connections, ${DURATION}s, $MSP_FCGI_WORKERS workers, batch ${MSP_FCGI_BATCH:-32}"
	: > "$work/stack/log/msp-fcgi.log"
	KEY_PREFIX=$1 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$work/post.lua" \
		"http://127.0.0.1:$MSP_HTTP_PORT/api/v1/responses" > "$work/wrk.out"
	# acked_rps: acknowledged (2xx) submissions a second, the junk
	# requests of a JUNK_EVERY run left out
	read -r _ rps p50 p99 acked failed sockerr timeouts acked_rps < <(grep '^RESULT' "$work/wrk.out")
	printf 'api: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, %d acknowledged, %d non-2xx, %d socket errors, %d timeouts (> 2 s)\n' \
		"$rps" "$p50" "$p99" "$acked" "$failed" "$sockerr" "$timeouts"
	# Each stored submission's log line says how many were stored in
	# the same call ("batch", absent when alone).
	awk '/"method":"POST","path":"\/api\/v1\/responses"/ {
		n++; b = 1
		if (match($0, /"batch":[0-9]+/)) b = substr($0, RSTART + 8, RLENGTH - 8)
		sum += b; if (b == 1) alone++
	} END { if (n) printf "submissions stored per database call, as a submission sees it: mean %.1f, alone %.0f%%\n", sum / n, 100 * alone / n }' \
		"$work/stack/log/msp-fcgi.log"
}
