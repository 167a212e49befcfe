# Sourced by the integration tests (tests/*.test) after they set src
# and bld: the checks they print and count, and the stack they start.

. "$src/scripts/ports.sh"

# Sanitizer reports of every process the test starts (the CLI, the
# msp-fcgi parent and workers) go to files here, so that a report from a
# worker, whose stderr is only a log file, or from a command whose
# stderr the test drops, still fails the test (see finish).  Inside the
# throwaway cluster's directory when with-pg made one: it goes with it.
san_dir=$(mktemp -d "${MSP_TEST_PGDIR:-${TMPDIR:-/tmp}}/sanitizer.XXXXXX")
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$san_dir/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$san_dir/ubsan"
stack_logs=

# reopen_reference: the two reference studies are closed (migration
# 0028, sql/reference/0009); the tests that submit to them reopen them
# after loading, as a federation would with 'msp-report study reopen'.
reopen_reference() {
	"$bld/cli/msp-report" study reopen occitanie-2024 >/dev/null &&
		"$bld/cli/msp-report" study reopen pdl-2019 >/dev/null
}

failures=0
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
ok() { printf 'ok: %s\n' "$*"; }
check() {	# description [!] command...
	local what=$1 want=0; shift
	[ "$1" = "!" ] && { want=1; shift; }
	"$@"
	if [ $(( $? != 0 )) -eq "$want" ]; then ok "$what"; else fail "$what"; fi
}
eq() {	# description got want
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# tried [N]: N (1) more bad inputs sent, each one a request or command
# the test expects to be refused; finish prints the total in a line
# "bad inputs tried: N" that SECURITY.md's figures are read from.
bad_inputs=0
tried() { bad_inputs=$((bad_inputs + ${1:-1})); }

# start_stack STATE: msp-fcgi and nginx on free ports, exported as
# MSP_HTTP_PORT / MSP_HTTPS_PORT / MSP_METRICS_PORT (/metrics' local
# listener); sets base.  Exits the test on failure.
# A free port can be taken between pick_port and nginx's bind by
# whatever else runs on the machine: try again with new ones.
start_stack() {
	local state=$1 attempt
	export MSP_HTTP_PORT MSP_HTTPS_PORT MSP_METRICS_PORT
	for attempt in 1 2 3; do
		MSP_HTTP_PORT=$(pick_port)
		MSP_HTTPS_PORT=$(pick_port)
		MSP_METRICS_PORT=$(pick_port)
		"$src/scripts/msp-stack" start "$state" "$bld/fcgi" && break
		"$src/scripts/msp-stack" stop "$state" >/dev/null 2>&1
		if [ "$attempt" = 3 ]; then
			echo "FAIL: msp-stack start"
			cat "$state/log/"* "$state/nginx/error.log" 2>/dev/null |
				tail -20
			exit 1
		fi
	done
	base=http://127.0.0.1:$MSP_HTTP_PORT
	stack_logs=$state/log
}

# burst PIDFILE: POSTs every "TOKEN KEY BODY" line of stdin to
# /api/v1/responses at once, while the workers of the msp-fcgi whose
# pid is in PIDFILE are stopped, so that they queue on its socket and a
# worker takes them together (msp-fcgi --batch); prints the statuses,
# sorted.  burst PIDFILE one: the first worker runs again alone for a
# second, so that it takes every request waiting and they make one
# call; otherwise the workers share them and a given request may be
# taken alone, which a check on what a batch does cannot rely on.
burst() {
	local pids first tok key body i=0 out
	out=$(mktemp -d "${TMPDIR:-/tmp}/msp-burst.XXXXXX")
	pids=$(pgrep -P "$(cat "$1")" | tr '\n' ' ')
	kill -STOP $pids
	while read -r tok key body; do
		i=$((i + 1))
		curl -s -o /dev/null -w '%{http_code}\n' \
			-H 'Content-Type: application/json' \
			-H "Authorization: Bearer $tok" -H "Idempotency-Key: $key" \
			--data-binary "$body" "$base/api/v1/responses" \
			> "$out/$i" &
	done
	sleep 2		# nginx has connected each one to the socket
	if [ "${2:-}" = one ]; then
		first=${pids%% *}
		kill -CONT $first
		sleep 1
	fi
	kill -CONT $pids
	wait
	sort "$out"/* | tr '\n' ' '
	rm -rf "$out"
}

# sanitizer_clean: no sanitizer report was written, and no msp-fcgi
# worker died other than by the SIGKILL a test sends on purpose (the
# parent logs each death with its wait status; 9 is SIGKILL).  UBSan
# ignores log_path when linked with ASan: its reports are looked for in
# the stack's log, where the workers' stderr goes.
sanitizer_clean() {
	local f reports
	reports=$(ls "$san_dir" 2>/dev/null)
	for f in $reports; do
		echo "--- sanitizer report $f"
		head -20 "$san_dir/$f"
	done
	eq "no sanitizer report" "$(echo $reports)" ""
	[ -n "$stack_logs" ] || return 0
	f=$(grep -hE 'runtime error:|ERROR: [A-Za-z]+Sanitizer' \
		"$stack_logs"/msp-fcgi.log 2>/dev/null | head -5)
	eq "no sanitizer report in the workers' log" "$f" ""
	f=$(grep -h '"event":"worker died"' "$stack_logs"/msp-fcgi.log \
		2>/dev/null | grep -v '"status":9}')
	eq "no worker died but those killed on purpose" "$f" ""
}

# finish: the test's exit status from the failed checks, after the
# sanitizer reports are looked for.
finish() {
	sanitizer_clean
	[ "$bad_inputs" -eq 0 ] || echo "bad inputs tried: $bad_inputs"
	rm -rf "$san_dir"
	[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
}

# Starts chromedriver on a free port of 127.0.0.1 (its log in
# $state/chromedriver.log) and sets dport, driver_pid and wd, its URL;
# returns 1 when it would not start.  The port is picked, then bound by
# chromedriver: another process (a test running beside this one, an
# outgoing connection's ephemeral port) may take it in between, and
# chromedriver then exits ("bind() failed"), so a driver that is not
# running once it answers, or never answers, is started again on
# another port, up to five times.
start_chromedriver() {
	local try
	for try in 1 2 3 4 5; do
		dport=$(pick_port) || return 1
		chromedriver --port="$dport" >"$state/chromedriver.log" 2>&1 &
		driver_pid=$!
		wd=http://127.0.0.1:$dport
		for _ in $(seq 50); do
			kill -0 "$driver_pid" 2>/dev/null || break
			if curl -sf "$wd/status" >/dev/null; then
				sleep 0.2	# a driver that lost the port exits now
				kill -0 "$driver_pid" 2>/dev/null && return 0
				break
			fi
			sleep 0.2
		done
		kill "$driver_pid" 2>/dev/null
		wait "$driver_pid" 2>/dev/null
		driver_pid=
	done
	return 1
}
