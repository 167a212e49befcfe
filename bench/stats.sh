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
#
# Then the hard tables of issue 20 (4×5 n = 149, 5×5 n = 120, 6×6
# n = 100, 3×6 n = 300, drawn once in R with set.seed(20) under
# independence with uneven margins): one exact test each, ours and
# R's fisher.test() (default workspace, then workspace = 2e8 if it
# refuses), each under a timeout of R_TIMEOUT seconds (default 120),
# with the ratio.  Where either gives up, the line says so.  The target
# is under one second each.  HARD=0 leaves them out.  Times are CPU
# time (user + system), ours and R's: the cores are shared.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
TABLE=${TABLE:-"2 3; 2 3; 5 9; 1 6; 0 6"}
BATCHES=${BATCHES:-21}
CALLS=${CALLS:-2000}
R_CALLS=${R_CALLS:-500}
HARD=${HARD:-1}
R_TIMEOUT=${R_TIMEOUT:-120}
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
	echo "bench/stats.sh: R is not installed (./dev deps installs it)" >&2
	exit 1
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
	function(b) sum(system.time(for (i in seq_len(calls))
		fisher.test(x))[c("user.self", "sys.self")]) / calls * 1e6)
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

[ "$HARD" = 1 ] || exit 0

hard_tables=(
	"4x5 n=149|14 19 3 2 6; 16 12 4 5 15; 9 8 4 1 8; 3 10 4 3 3"
	"5x5 n=120|12 9 1 2 7; 4 2 1 6 0; 4 10 4 7 6; 6 5 3 2 3; 11 3 1 6 5"
	"6x6 n=100|3 3 3 3 3 1; 5 2 8 7 2 2; 4 3 2 0 0 1; 3 0 3 3 1 0; 3 4 2 4 0 2; 4 4 6 0 2 7"
	"3x6 n=300|16 14 23 23 30 27; 11 19 20 22 28 28; 3 4 7 10 6 9"
)
rhard=$(mktemp "${TMPDIR:-/tmp}/msp-bench-hard.XXXXXX")
trap 'rm -f "$rscript" "$rhard"' EXIT
cat >"$rhard" <<'EOF'
rows <- strsplit(strsplit(Sys.getenv("TABLE"), ";")[[1]], "[ ,]+")
rows <- lapply(rows, function(r) as.numeric(r[r != ""]))
x <- do.call(rbind, rows)
ws <- "default"
cpu <- function(t) sum(t[c("user.self", "sys.self")])
t <- cpu(system.time(r <- try(fisher.test(x), silent = TRUE)))
if (inherits(r, "try-error")) {
	ws <- "2e8"
	t <- cpu(system.time(r <- try(fisher.test(x, workspace = 2e8),
		silent = TRUE)))
}
if (inherits(r, "try-error")) {
	cat(sprintf("gave_up=%s\n", gsub("[\n ]+", " ",
		conditionMessage(attr(r, "condition")))))
} else cat(sprintf("p=%.17g\nsec=%.3f\nworkspace=%s\n", r$p.value, t, ws))
EOF
echo
echo "hard tables (one exact test each; R under a ${R_TIMEOUT} s timeout)"
summary=""
for entry in "${hard_tables[@]}"; do
	name=${entry%%|*}
	table=${entry#*|}
	start=$(date +%s.%N)
	if c_out=$("$bench" --fisher --batches 1 --calls 1 "$table" 2>&1); then
		c_s=$(awk -v u="$(sed -n 's/^median_us=//p' <<<"$c_out")" \
			'BEGIN { printf "%.3f", u / 1e6 }')
		c_p=$(sed -n 's/^test .*p = //p' <<<"$c_out")
		c_txt="$c_s s, p = $c_p"
	else
		c_s=""
		wall=$(awk -v s="$start" -v e="$(date +%s.%N)" \
			'BEGIN { printf "%.1f", e - s }')
		c_txt="gave up after $wall s (wall clock):"
		c_txt="$c_txt ${c_out#bench_stats: }"
	fi
	if r_out=$(TABLE="$table" timeout "$R_TIMEOUT" Rscript "$rhard" \
		   2>/dev/null); then
		if grep -q '^gave_up=' <<<"$r_out"; then
			r_s=""
			r_txt="gave up: $(sed -n 's/^gave_up=//p' <<<"$r_out")"
		else
			r_s=$(sed -n 's/^sec=//p' <<<"$r_out")
			r_txt="$r_s s, p = $(sed -n 's/^p=//p' <<<"$r_out")"
			r_txt="$r_txt (workspace $(sed -n \
				's/^workspace=//p' <<<"$r_out"))"
		fi
	else
		r_s=""
		r_txt="no answer within the ${R_TIMEOUT} s timeout"
	fi
	echo "$name  $table"
	echo "  lib/stats.c $c_txt"
	echo "  R           $r_txt"
	if [ -n "$c_s" ] && [ -n "$r_s" ]; then
		awk -v c="$c_s" -v r="$r_s" 'BEGIN { printf "  ratio       " \
			"R / lib/stats.c = %.1f%s\n", r / (c > 0 ? c : 1e-6),
			c < 1 ? "" : "  (target < 1 s: NOT met)" }'
	elif [ -z "$c_s" ]; then
		echo "  target      < 1 s: NOT met (msp-report test" \
			"--simulate N gives a Monte Carlo p-value)"
	fi
	summary+=$(awk -v n="$name" -v c="$c_s" -v r="$r_s" -v t="$R_TIMEOUT" \
		'BEGIN {
			ours = c == "" ? "refused" : c " s"
			theirs = r == "" ? "> " t " s" : r " s"
			ratio = "-"
			if (c != "" && r != "")
				ratio = sprintf("%.1f", r / (c > 0 ? c : 1e-6))
			printf "%-10s  %-12s  %-12s  %s\n", n, ours, theirs, ratio
		}')$'\n'
done
echo
echo "summary (CPU seconds; ratio R / lib/stats.c)"
printf '%-10s  %-12s  %-12s  %s\n' table lib/stats.c R ratio
printf '%s' "$summary"
