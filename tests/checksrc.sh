#!/bin/sh
# checksrc.sh — the house rules of the C sources (scripts/checksrc), on
# every C file of the tree; make check runs it.
src=${MSP_SRCDIR:-$(dirname "$0")/..}
command -v perl >/dev/null || { echo "checksrc.sh: no perl" >&2; exit 99; }
exec perl "$src/scripts/checksrc" "$src/lib" "$src/fcgi" "$src/cli" \
	"$src/tests" "$src/fuzz" "$src/bench" "$src/pg"
