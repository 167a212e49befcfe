#!/bin/sh
# run.sh SECONDS FUZZDIR HARNESS... — runs each libFuzzer harness for
# SECONDS on a copy of its seed corpus FUZZDIR/corpus/NAME/ (with
# FUZZDIR/NAME.dict when there is one), so the source tree is never
# written, and prints one line per harness: executions and exec/s, or
# where the crash and its input are.  The log of each run is left in
# NAME.log beside the harness, a crashing input in NAME-crash-*.
# Exits 1 if any harness crashed or failed to run.
#
# Used by make fuzz (FUZZ_SECONDS) and tests/fuzz.sh.
set -u
if [ $# -lt 3 ]; then
	echo "usage: run.sh SECONDS FUZZDIR HARNESS..." >&2
	exit 2
fi
seconds=$1 fuzzdir=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/msp-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

# run_one HARNESS CORPUS [OPTION]...: a unit slower than 10 s is a
# failure too (a parser that hangs).
run_one() {
	h=$1 c=$2
	shift 2
	"$h" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$h-" "$@" "$c"
}

status=0
for harness in "$@"; do
	name=$(basename "$harness")
	log=$harness.log
	corpus=$work/$name
	mkdir -p "$corpus"
	cp "$fuzzdir/corpus/$name/"* "$corpus/" 2>/dev/null
	if [ -f "$fuzzdir/$name.dict" ]; then
		run_one "$harness" "$corpus" -dict="$fuzzdir/$name.dict"
	else
		run_one "$harness" "$corpus"
	fi >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ $rc -eq 0 ] && [ -n "$execs" ]; then
		printf '%s: %s executions in %s s (%s exec/s), no crash\n' \
			"$name" "$execs" "$seconds" "$rate"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
			tail -1)
		printf '%s: FAILED (exit %s) after %s executions; log %s%s\n' \
			"$name" "$rc" "${execs:-?}" "$log" \
			"${crash:+, input $crash}"
		grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:)|runtime error' \
			"$log" | sed 's/^/    /'
		status=1
	fi
done
exit $status
