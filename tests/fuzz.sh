#!/bin/sh
# The libFuzzer harnesses (fuzz/), each for a few seconds on its seed
# corpus: the seeds and whatever the fuzzer reaches from them must not
# crash, leak or trip the sanitizers.  make fuzz runs them for longer.
# Skipped (77) only when configure found no clang with libFuzzer.
set -u
src=${MSP_SRCDIR:?} bld=${MSP_BUILDDIR:?}
seconds=${MSP_FUZZ_TEST_SECONDS:-6}
for h in fuzz_submission_json fuzz_form fuzz_table fuzz_csv fuzz_csvmap \
	fuzz_xlsform fuzz_release; do
	if [ ! -x "$bld/fuzz/$h" ]; then
		echo "SKIP: $bld/fuzz/$h not built (configure found no clang" \
			"with libFuzzer: apt-get install clang libclang-rt-14-dev)"
		exit 77
	fi
	set -- "$@" "$bld/fuzz/$h"
done
exec sh "$src/fuzz/run.sh" "$seconds" "$src/fuzz" "$@"
