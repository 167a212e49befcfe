#!/usr/bin/env bash
# bench/stats.sh — Fisher's exact test on the issue's 5×2 table, called
# in a loop: lib/stats.c against R's fisher.test().
#
#   bench/stats.sh [BINDIR]      (default: build, the plain -O2 build)
#   TABLE="8 22; 2 5" BATCHES=21 CALLS=2000 bench/stats.sh build
#
# Builds BINDIR/bench/bench_stats (make bench/bench_stats: not part of
# make check), which times BATCHES batches of CALLS calls of
# stats_test(STATS_FISHER) on TABLE (default "2 3; 2 3; 5 9; 1 6; 0 6",
# PdL 2019 Tableau 2, département) and prints the median time per call.
# If Rscript is installed, times fisher.test() on the same table the
# same way (system.time() over batches of R_CALLS calls) and prints the
# ratio.  The target is 50 µs per call.  A build with sanitizers
# (--enable-sanitizers) runs several times slower: use a plain one.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
TABLE=${TABLE:-"2 3; 2 3; 5 9; 1 6; 0 6"}
BATCHES=${BATCHES:-21}
CALLS=${CALLS:-2000}
R_CALLS=${R_CALLS:-500}
TARGET_US=50

if [ ! -f "$bin/Makefile" ]; then
	echo "bench/stats.sh: no build in $bin (configure first)" >&2
	exit 1
fi
make -s -C "$bin" bench/bench_stats >/dev/null
bench=$bin/bench/bench_stats
if ldd "$bench" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "bench/stats.sh: warning: $bench is built with" \
		"sanitizers; its timings are not representative" >&2
fi

out=$("$bench" --fisher --batches "$BATCHES" --calls "$CALLS" "$TABLE")
echo "lib/stats.c"
sed -n '/^median_us=/!s/^/  /p' <<<"$out"
c_us=$(sed -n 's/^median_us=//p' <<<"$out")
if awk -v c="$c_us" -v t="$TARGET_US" 'BEGIN { exit !(c <= t) }'; then
	echo "  target      <= $TARGET_US us per call: met"
else
	echo "  target      <= $TARGET_US us per call: NOT met"
fi

if ! command -v Rscript >/dev/null 2>&1; then
	echo "R           not installed (apt-get install r-base-core)"
	exit 0
fi
# The table as R reads it: rows of the matrix, by row.
rscript=$(mktemp "${TMPDIR:-/tmp}/msp-bench-stats.XXXXXX")
trap 'rm -f "$rscript"' EXIT
cat >"$rscript" <<'EOF'
rows <- strsplit(strsplit(Sys.getenv("TABLE"), ";")[[1]], "[ ,]+")
rows <- lapply(rows, function(r) as.numeric(r[r != ""]))
x <- do.call(rbind, rows)
calls <- as.integer(Sys.getenv("R_CALLS"))
p <- fisher.test(x)$p.value
for (i in 1:20) fisher.test(x)		# warm up
per_call <- sapply(seq_len(as.integer(Sys.getenv("BATCHES"))),
	function(b) system.time(for (i in seq_len(calls))
		fisher.test(x))[["elapsed"]] / calls * 1e6)
cat(sprintf("version     %s\n", R.version.string))
cat(sprintf("test        fisher.test(x), p = %.17g\n", p))
cat(sprintf("calls       %d batches of %d\n", length(per_call), calls))
cat(sprintf("per call    median %.2f us (fastest %.2f, slowest %.2f)\n",
	median(per_call), min(per_call), max(per_call)))
cat(sprintf("median_us=%.3f\n", median(per_call)))
EOF
r_out=$(TABLE="$TABLE" BATCHES="$BATCHES" R_CALLS="$R_CALLS" Rscript "$rscript")
echo "R"
sed -n '/^median_us=/!s/^/  /p' <<<"$r_out"
r_us=$(sed -n 's/^median_us=//p' <<<"$r_out")
awk -v c="$c_us" -v r="$r_us" \
	'BEGIN { printf "ratio       R / lib/stats.c = %.1f\n", r / c }'
