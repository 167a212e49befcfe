#!/usr/bin/env bash
# fedreports.sh — every federation report of the two reference studies,
# in the five formats, one file each, to compare two builds byte for
# byte (issue 19: the federation's report moved to SECURITY DEFINER
# functions and must print exactly what it printed before).
#
#   tests/fedreports.sh MSP-REPORT OUTDIR
#
# MSP_DATABASE_URL: a database with the reference studies loaded.
# MSP_FED_TOKEN_OCCITANIE, MSP_FED_TOKEN_PDL: a federation token of each
# region (msp-report token create --kind federation --region ...).
# Writes OUTDIR/own/ (each federation's own region) and OUTDIR/other/
# (a federation asking for the other region: these change on purpose,
# « 0 réponses » becoming the other region's aggregates); prints how
# many reports it wrote.  A report that fails is kept as its message
# and exit status, so that a refusal is compared as well.
set -euo pipefail

[ $# -eq 2 ] && [ "$1" != --help ] || {
	sed -n '2,16s/^# \{0,1\}//p' "$0"
	[ "${1:-}" = --help ] && exit 0
	exit 2
}
R=$1 OUT=$2
: "${MSP_FED_TOKEN_OCCITANIE:?}" "${MSP_FED_TOKEN_PDL:?}"
mkdir -p "$OUT/own" "$OUT/other"
count=0

# run DIR NAME TOKEN ARGS...: one report in every format
run() {
	local dir=$1 name=$2 token=$3 f rc
	shift 3
	for f in text csv json markdown html; do
		rc=0
		MSP_TOKEN=$token "$R" "$@" --format "$f" \
			> "$OUT/$dir/$name.$f" 2> "$OUT/$dir/$name.$f.err" ||
			rc=$?
		echo "exit $rc" >> "$OUT/$dir/$name.$f.err"
		count=$((count + 1))
	done
}

# The variables a report splits by and the open items, as the report's
# own messages list them (one source: the instrument's rules).
listed() {
	MSP_TOKEN=$2 "$R" --region "$1" $3 2>&1 >/dev/null |
		sed -n 's/.*(\(variables with categories\|open items\): \(.*\))$/\2/p' |
		tr -d ' ' | tr ',' ' '
}

for region in occitanie pays-de-la-loire; do
	if [ "$region" = occitanie ]; then
		tok=$MSP_FED_TOKEN_OCCITANIE other=$MSP_FED_TOKEN_PDL
	else
		tok=$MSP_FED_TOKEN_PDL other=$MSP_FED_TOKEN_OCCITANIE
	fi
	run own "$region" "$tok" --region "$region"
	run own "$region-recount" "$tok" --region "$region" --recount
	run own "$region-nsp" "$tok" --region "$region" --nsp exclude
	run own "$region-missing" "$tok" --region "$region" --missing keep
	run own "$region-nonresponse" "$tok" --region "$region" --nonresponse
	run own "$region-weights" "$tok" --region "$region" --weights frame
	run own "$region-has" "$tok" --has --region "$region"
	for v in $(listed "$region" "$tok" "--by ?"); do
		run own "$region-by-$v" "$tok" --region "$region" --by "$v"
	done
	for v in $(listed "$region" "$tok" "--terms ?"); do
		run own "$region-terms-$v" "$tok" --region "$region" \
			--terms "$v" --top 50
	done
	# the other region's federation
	run other "$region" "$other" --region "$region"
	run other "$region-by-aci_signatory" "$other" --region "$region" \
		--by aci_signatory
	run other "$region-nonresponse" "$other" --region "$region" \
		--nonresponse
	run other "$region-has" "$other" --has --region "$region"
	run other "compare-$region" "$tok" \
		--compare occitanie,pays-de-la-loire
done
echo "$count reports in $OUT"
