#!/bin/sh
# The manual pages say everything --help says: every option of msp-fcgi
# --help, every command of msp-report --help, and every option of each
# command's own --help (and the report's), in that command's section of
# msp-report(1).  The pages are made from --help at build time
# (scripts/mkman); this fails when one is stale (built from an older
# program) or when the generator leaves a command out.  First shown a
# page with a section and an option taken out, which it must catch.
set -u
src=${MSP_SRCDIR:?}
bld=${MSP_BUILDDIR:?}
failures=0
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
ok() { printf 'ok: %s\n' "$*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/msp-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export MSP_CONFIG=
report=$bld/cli/msp-report
fcgi=$bld/fcgi/msp-fcgi

# options HELP-TEXT-FILE: the long options it names, one a line
options() { grep -oE -- '--[a-z][a-z0-9-]+' "$1" | sort -u; }
# plain PAGE: the roff source with its escapes undone
plain() { sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' -e 's/\\f[BIRP]//g' "$1"; }
# section PAGE CMD: the text of CMD's subsection of COMMANDS
section() {
	plain "$1" | awk -v c="$2" '
		/^\.S[HS] / { on = ($0 == ".SS \"" c "\"") ; next }
		on { print }'
}
commands() {
	"$report" --help | sed -n '/^Commands:/,/^Options:/p' |
		sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u
}

# check_report PAGE: prints each command or option missing, one a line
check_report() {
	local page=$1 cmd o
	for cmd in $(commands) report; do
		if ! grep -qx ".SS \"$cmd\"" "$page"; then
			echo "section $cmd"
			continue
		fi
		section "$page" "$cmd" > "$tmp/section"
		"$report" "$cmd" --help > "$tmp/help" 2>&1
		for o in $(options "$tmp/help"); do
			grep -qF -- "$o" "$tmp/section" || echo "$cmd $o"
		done
	done
	"$report" --help > "$tmp/help"
	plain "$page" > "$tmp/whole"
	for o in $(options "$tmp/help"); do
		grep -qF -- "$o" "$tmp/whole" || echo "msp-report $o"
	done
}

# --- the checker catches what is missing -------------------------------
page=$bld/man/msp-report.1
[ -s "$page" ] || { echo "FAIL: $page not built"; exit 1; }
awk '/^\.SS "export"/ { skip = 1; next } /^\.S[HS] / { skip = 0 } !skip' \
	"$page" | sed -e 's/--unit-label/--unit-gone/g' > "$tmp/cut.1"
got=$(check_report "$tmp/cut.1" | grep -E '^(section export|agreement --unit-label)$' | sort | tr '\n' ' ')
if [ "$got" = "agreement --unit-label section export " ]; then
	ok "a page without 'export' and agreement's --unit-label is caught"
else
	fail "a page without 'export' and agreement's --unit-label is caught: '$got'"
fi

# --- the pages --------------------------------------------------------------
n=$(commands | wc -l)
missing=$(check_report "$page")
if [ -z "$missing" ]; then
	ok "msp-report(1) has all $n commands, the report and every option of each"
else
	fail "msp-report(1) lacks: $(echo $missing)"
fi
"$fcgi" --help > "$tmp/fcgi-help"
plain "$bld/man/msp-fcgi.1" > "$tmp/fcgi-page"
missing=
for o in $(options "$tmp/fcgi-help") $(grep -oE '^  -[a-zA-Z],' "$tmp/fcgi-help" | tr -d ' ,'); do
	grep -qF -- "$o" "$tmp/fcgi-page" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "msp-fcgi(1) has every option of --help"
else fail "msp-fcgi(1) lacks:$missing"; fi
check_version() {
	v=$("$1" --version | awk '{print $2}')
	grep -q "^\.TH .*\"$v\"" "$2" || grep -q "^\.TH .* $v" "$2"
}
if check_version "$report" "$page" && check_version "$fcgi" "$bld/man/msp-fcgi.1"; then
	ok "the pages carry the programs' version"
else fail "the pages carry the programs' version"; fi
# the page renders without groff's warnings
warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null | head -3)
if [ -z "$warn" ]; then ok "msp-report(1) renders without warnings"
else fail "msp-report(1) renders with warnings: $warn"; fi

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
