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

# --- the disclosure module the server loads ---------------------------
# pg/msp_sdc.so (release.c, block.c and what they need) runs inside a
# backend: no libpq, no stdio (what it says goes through msp_error and
# ereport), and no assert() or abort(), which would kill the server
# process and restart every session of the cluster.
so=$bld/pg/msp_sdc.so
if [ ! -f "$so" ]; then
	fail "pg/msp_sdc.so is not built"
else
	bad=$(nm -u "$so" | awk '{ sub(/@.*/, "", $2); print $2 }' |
	      grep -E '^(PQ|pq|__assert|abort$|exit$|printf$|fprintf$|puts$|fputs$|fwrite$|fopen$|stdout$|stderr$|perror$)' |
	      tr '\n' ' ')
	[ -z "$bad" ] && ok "pg/msp_sdc.so calls no libpq, stdio, assert or abort" ||
		fail "pg/msp_sdc.so calls $bad"
	# the block builder is in it, so that the database builds the
	# layouts it releases (nm -a: the symbols are hidden, not gone)
	nm "$so" | grep -q ' block_categorical$' &&
		ok "pg/msp_sdc.so holds block.c" ||
		fail "pg/msp_sdc.so lacks block.c"
fi

printf 'failures: %d\n' "$failures"
[ "$failures" -eq 0 ]
