# Sourced by the integration tests (tests/*.test) after they set src
# and bld: the checks they print and count, and the stack they start.

. "$src/scripts/ports.sh"

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

# start_stack STATE: msp-fcgi and nginx on free ports, exported as
# MSP_HTTP_PORT / MSP_HTTPS_PORT; sets base.  Exits the test on failure.
# A free port can be taken between pick_port and nginx's bind by
# whatever else runs on the machine: try again with new ones.
start_stack() {
	local state=$1 attempt
	export MSP_HTTP_PORT MSP_HTTPS_PORT
	for attempt in 1 2 3; do
		MSP_HTTP_PORT=$(pick_port)
		MSP_HTTPS_PORT=$(pick_port)
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
}

# finish: the test's exit status from the failed checks.
finish() {
	[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
}
