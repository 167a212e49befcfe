#!/bin/sh
# Dependencies point one way (issue 17): no cycle in the include graph of
# lib/, fcgi/ and cli/, nor between the object files of lib/libmsp.a and
# fcgi/libmspfcgi.a (a call loop such as format.c <-> format_html.c shows
# only there).  scripts/depcycles finds them; it is first shown a cycle
# of each kind, so that a checker that finds nothing cannot pass.
set -u
src=${MSP_SRCDIR:?}
bld=${MSP_BUILDDIR:?}
dep=$src/scripts/depcycles
failures=0
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
ok() { printf 'ok: %s\n' "$*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msp-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- the checker sees a cycle where there is one ----------------------
printf '#include "b.h"\n' > "$tmp/a.h"
printf '#include "a.h"\n' > "$tmp/b.h"
out=$("$dep" --includes "$tmp"); rc=$?
case "$rc:$out" in
"1:a.h -> b.h -> a.h"|"1:b.h -> a.h -> b.h") ok "an include cycle is found" ;;
*) fail "an include cycle is found: rc $rc, '$out'" ;;
esac
printf 'void b(void);\nvoid a(void) { b(); }\n' > "$tmp/a.c"
printf 'void a(void);\nvoid b(void) { a(); }\n' > "$tmp/b.c"
printf 'void a(void);\nvoid c(void) { a(); }\n' > "$tmp/c.c"
(cd "$tmp" && ${CC:-cc} -c a.c b.c c.c && ar cr loop.a a.o b.o c.o &&
 ar cr line.a a.o c.o) || fail "compiling the example objects"
out=$("$dep" "$tmp/loop.a"); rc=$?
case "$rc:$out" in
"1:a.o -> b.o -> a.o"|"1:b.o -> a.o -> b.o") ok "a call loop is found" ;;
*) fail "a call loop is found: rc $rc, '$out'" ;;
esac
out=$("$dep" "$tmp/line.a"); rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] && ok "a one-way call is no cycle" ||
	fail "a one-way call is no cycle: rc $rc, '$out'"

# --- the code --------------------------------------------------------
out=$("$dep" --includes "$src/lib" "$src/fcgi" "$src/cli"); rc=$?
[ "$rc" -eq 0 ] && ok "no include cycle in lib/, fcgi/, cli/" ||
	fail "include cycles in lib/, fcgi/, cli/: $out"
out=$("$dep" "$bld/lib/libmsp.a" "$bld/fcgi/libmspfcgi.a"); rc=$?
[ "$rc" -eq 0 ] && ok "no call cycle between the files of the libraries" ||
	fail "call cycles between the files of the libraries: $out"

printf 'failures: %d\n' "$failures"
[ "$failures" -eq 0 ]
