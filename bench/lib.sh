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

bench_cluster() {
	local name=$1
	shift
	work=$(mktemp -d "${TMPDIR:-/tmp}/msp-$name.XXXXXX")
	chmod 755 "$work"	# the server may run as postgres
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	"$src/scripts/pgcluster" start "$work/pg" "$@" >/dev/null
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
