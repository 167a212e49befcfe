# Sourced by the package tests (tests/deb.test, tests/upgrade.test)
# after tests/harness.sh: what both do to a machine as its
# administrator would, and undo.  They need root (they install the
# package) and hold one lock, so that two never meet on a machine.
#
# The caller sets src, bld and state (a directory of its own); these
# functions keep their pids and flags in the variables below, which
# deb_cleanup, run from the caller's EXIT trap, reads.

unit=/lib/systemd/system/msp-fcgi.service
installed=0 fcgi_pid= nginx_pid= load_pid= rundir=
pkglib=

# deb_preflight: exits 77 (skipped) unless root; takes the lock (one
# package test at a time on a machine); refuses a machine where the
# package is installed already.  Remembers whether the msp-survey user
# existed, for deb_cleanup.
deb_preflight() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip: installing a package needs root (CI runs this as root)"
		exit 77
	fi
	exec 9>/run/lock/msp-survey-deb-test.lock
	flock -w 900 9 || { echo "FAIL: another package test holds the lock"; exit 1; }
	if dpkg-query -W -f='${Status}' msp-survey 2>/dev/null | grep -q installed; then
		echo "FAIL: msp-survey is installed on this machine: not ours to replace"
		exit 1
	fi
	user_before=$(getent passwd msp-survey >/dev/null && echo 1 || echo 0)
	pkglib=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
}

# stop_fcgi: what systemctl stop does with KillMode=mixed: SIGTERM to
# the main process, which lets its workers finish; SIGKILL to the
# group after TimeoutStopSec=.
stop_fcgi() {
	[ -n "$fcgi_pid" ] || return 0
	kill -TERM "$fcgi_pid" 2>/dev/null
	for _ in $(seq 1 350); do kill -0 "$fcgi_pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$fcgi_pid" 2>/dev/null && kill -KILL -- "-$fcgi_pid" 2>/dev/null
	fcgi_pid=
}

# deb_purge: apt-get purge, and the system user when this test made it
# (postinst makes it, Debian's custom keeps it).
deb_purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq msp-survey \
		> "$state/purge.log" 2>&1 || dpkg --purge msp-survey \
		>> "$state/purge.log" 2>&1
	local rc=$?
	installed=0
	if [ "$user_before" = 0 ]; then
		getent passwd msp-survey >/dev/null &&
			deluser --system --quiet msp-survey >/dev/null 2>&1
		getent group msp-survey >/dev/null &&
			delgroup --system --quiet msp-survey >/dev/null 2>&1
	fi
	return $rc
}

deb_cleanup() {
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
	if [ -n "$nginx_pid" ]; then
		kill -QUIT "$nginx_pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$nginx_pid" 2>/dev/null
	fi
	stop_fcgi
	[ -n "$rundir" ] && rm -rf "$rundir"
	"$src/scripts/pgcluster" destroy "$state/pg" >/dev/null 2>&1
	[ "$installed" = 1 ] && deb_purge
	rm -rf "$state"
}

# deb_build TREE OUTDIR: the package of the source tree TREE (its own
# scripts/mkdeb), its path in deb_path.  Built once per content: the
# .deb is kept in OUTDIR with the SHA-256 of the files mkdeb copies
# (git's list in a checkout, every file otherwise), and a later call on
# the same content (the other package test of this run) takes it;
# deb_build_s is the build's seconds (0 when taken).  Fails when
# dpkg-buildpackage does.
deb_build() {
	local tree=$1 out=$2 key t
	if git -C "$tree" rev-parse --git-dir >/dev/null 2>&1; then
		key=$(cd "$tree" && git ls-files -z -co --exclude-standard |
			sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
	else
		key=$(cd "$tree" && find . -type f ! -path './build*' -print0 |
			sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
	fi
	mkdir -p "$out"
	deb_path=$(ls "$out"/msp-survey_*.deb 2>/dev/null | head -n 1)
	deb_build_s=0
	if [ -n "$deb_path" ] && [ "$(cat "$out/tree.sha256" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -rf "$out"
	mkdir -p "$out"
	t=$(date +%s)
	deb_path=$(DEB_BUILD_OPTIONS="nocheck parallel=2" "$tree/scripts/mkdeb" "$out") ||
		return 1
	deb_build_s=$(( $(date +%s) - t ))
	echo "$key" > "$out/tree.sha256"
}

# deb_install DEB [APT OPTION]...: apt-get install of a file, the
# installation's output in $state/apt.log (and on standard output);
# sets installed.
deb_install() {
	local deb=$1 rc
	shift
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" "$deb" > "$state/apt.log" 2>&1
	rc=$?
	installed=1
	return $rc
}

# deb_database: a private PostgreSQL (scripts/pgcluster) without the
# build's module directory, so that the server finds msp_sdc.so where
# the package put it; exports MSP_DATABASE_URL (its superuser) and
# sets worker_url, msp_worker's over TCP with a password (the socket
# directory is the server user's only).  Call deb_worker_login after
# the migrations made msp_worker.
deb_database() {
	unset MSP_MIGRATIONS_DIR MSP_FUNCTIONS_DIR MSP_REFERENCE_DIR \
		MSP_REPORT_DATABASE_URL
	"$src/scripts/pgcluster" start "$state/pg" --no-fsync >/dev/null ||
		{ echo "FAIL: private PostgreSQL"; exit 1; }
	. "$state/pg/env"
	export MSP_DATABASE_URL
}
deb_worker_login() {
	local pw
	pw=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	psql "$MSP_DATABASE_URL" -XAtqc "ALTER ROLE msp_worker PASSWORD '$pw'" >/dev/null
	worker_url="postgresql://msp_worker:$pw@127.0.0.1:$MSP_PG_PORT/msp"
}

# deb_configure: the installed configuration pointed at the private
# cluster (the administrator's connection, and the workers' as
# msp_worker), two workers, and made 0600 (it holds a password).
deb_configure() {
	local conf=/etc/msp-survey/msp-survey.conf
	# (sed's replacement: an & is the match, unless escaped)
	sed -i -e "s|^MSP_FCGI_DATABASE_URL=.*|MSP_FCGI_DATABASE_URL='$worker_url'|" \
		-e "s|^MSP_DATABASE_URL=.*|MSP_DATABASE_URL='${MSP_DATABASE_URL//&/\\&}'|" \
		-e "s|^MSP_FCGI_WORKERS=.*|MSP_FCGI_WORKERS=2|" "$conf"
	[ "${1:-}" = "--readable" ] || chmod 600 "$conf"
}

# --- the unit, played ---------------------------------------------------
# This machine's PID 1 is not systemd: the unit's own lines are played
# as systemd would (RuntimeDirectory= and its mode, ExecStartPre=, then
# ExecStart= as User=/Group= with the EnvironmentFile=).  The journal is
# $state/journal.log.

# unit_value KEY: the installed unit's KEY= lines (the last one is
# systemd's, but for ExecStartPre, which runs them all)
unit_value() { sed -n "s/^$1=//p" "$unit"; }

start_unit() {
	local user group envfile start_cmd pre
	user=$(unit_value User) group=$(unit_value Group)
	rundir=/run/$(unit_value RuntimeDirectory)
	envfile=$(unit_value EnvironmentFile)
	start_cmd=$(unit_value ExecStart)
	install -d -o "$user" -g "$group" -m "$(unit_value RuntimeDirectoryMode)" "$rundir"
	while read -r pre; do
		${pre#+} || { echo "FAIL: ExecStartPre=$pre"; return 1; }
	done < <(unit_value ExecStartPre)
	# EnvironmentFile's syntax is a subset of the shell's (lib/conffile.h)
	( set -a; . "$envfile"; set +a
	  cd /
	  # shellcheck disable=SC2086
	  exec setsid setpriv --reuid="$user" --regid="$group" --init-groups \
		--no-new-privs $start_cmd ) >>"$state/journal.log" 2>&1 </dev/null &
	fcgi_pid=$!
	for _ in $(seq 1 100); do
		[ -S "$rundir/msp-fcgi.sock" ] && return 0
		kill -0 "$fcgi_pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$state/journal.log"
	return 1
}

# --- the system's nginx ---------------------------------------------------
# deb_nginx INCLUDE...: the system's nginx binary, as www-data, with the
# packaged definitions in http { } and a server on a free port of
# 127.0.0.1 that includes the packaged site, as README's site file does;
# each INCLUDE more (a file) goes into http { } too.  Sets port, base
# and nginx_pid; exits the test when nginx -t refuses it.
deb_nginx() {
	local extra="" f
	for f in "$@"; do extra="$extra    include $f;
"; done
	port=$(pick_port)
	mkdir -p "$state/nginx/tmp"
	chown www-data "$state/nginx/tmp"
	cat > "$state/nginx/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $state/nginx/nginx.pid;
error_log $state/nginx/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $state/nginx/tmp/body;
    fastcgi_temp_path $state/nginx/tmp/fastcgi;
    proxy_temp_path $state/nginx/tmp/proxy;
    uwsgi_temp_path $state/nginx/tmp/uwsgi;
    scgi_temp_path $state/nginx/tmp/scgi;
    include /usr/share/msp-survey/nginx/msp-survey-http.conf;
$extra    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        include /usr/share/msp-survey/nginx/msp-survey-site.conf;
    }
}
EOF
	/usr/sbin/nginx -t -q -c "$state/nginx/nginx.conf" 2>"$state/nginx/t.log"
	eq "nginx -t accepts the packaged site" "$?:$(cat "$state/nginx/t.log")" "0:"
	/usr/sbin/nginx -c "$state/nginx/nginx.conf" 2>>"$state/nginx/t.log"
	for _ in $(seq 1 50); do [ -s "$state/nginx/nginx.pid" ] && break; sleep 0.1; done
	nginx_pid=$(cat "$state/nginx/nginx.pid" 2>/dev/null)
	check "nginx started" kill -0 "${nginx_pid:-0}"
	[ -n "$nginx_pid" ] || exit 1
	base=http://127.0.0.1:$port
}

# status URL [CURL OPTION]...: the HTTP status; the body in $state/body
status() { curl -s -o "$state/body" -w '%{http_code}' "$@"; }

# --- submissions under load -------------------------------------------------
# deb_load PREFIX SECONDS TOKEN: tests/msp-load in the background, 4
# connections, 60 submissions a second to the API of occitanie-2024,
# each retried with its key (up to 20 times, 250 ms apart) when it got
# 502/503/504 or a broken connection; its log $state/PREFIX.log.
deb_load() {
	local prefix=$1 seconds=$2 token=$3
	[ -s "$state/body.json" ] || cat > "$state/body.json" <<'EOF'
{"study":"occitanie-2024","respondent_role":"coordinateur","answers":{"structure_type":"msp","aci_signatory":true,"project_validation_year":2015,"def_usager":"Un patient partenaire"}}
EOF
	timeout $((seconds + 60)) "$bld/tests/msp-load" --port "$port" \
		--body "$state/body.json" -H "Authorization: Bearer $token" \
		--connections 4 --rate 60 --duration "$seconds" \
		--requests $((seconds * 60)) --timeout 10 --retries 20 --wait 250 \
		--key-prefix "$prefix" --log "$state/$prefix.log" \
		2>"$state/$prefix.err" &
	load_pid=$!
}

# deb_load_stored PREFIX: waits for deb_load's end, then checks that
# every submission was acknowledged in the end and that the database
# holds each acknowledged one once, under the response id the API
# gave; prints a line of figures.
deb_load_stored() {
	local prefix=$1 log=$state/$1.log submissions
	wait "$load_pid"
	eq "the load client ran to its end" "$?" 0
	load_pid=
	cat "$state/$prefix.err"
	awk -F'\t' '$4 ~ /^2/ {print $2 "\t" $6}' "$log" | sort -u > "$state/$prefix.acked"
	submissions=$(cut -f2 "$log" | sort -u | wc -l)
	eq "every submission acknowledged in the end" \
		"$(cut -f1 "$state/$prefix.acked" | sort -u | wc -l)" "$submissions"
	psql "$MSP_DATABASE_URL" -XAtqc "SELECT substr(r.idempotency_key,
			length('api:' || r.structure_id || ':') + 1) || E'\t' ||
		    r.response_id
	       FROM msp.response r WHERE r.idempotency_key LIKE 'api:%:$prefix-%'" |
		sort > "$state/$prefix.stored"
	eq "every acknowledged response stored, once, as acknowledged ($(wc -l < "$state/$prefix.stored"))" \
		"$(diff "$state/$prefix.stored" "$state/$prefix.acked" | head -5)" ""
	echo "figures: $submissions submissions, $(wc -l < "$log") attempts; $(awk -F'\t' '$4 !~ /^2/' "$log" | wc -l) retried"
}
