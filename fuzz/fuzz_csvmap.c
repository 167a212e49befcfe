/*
 * fuzz_csvmap — a mapping file given to msp-report import --mapping:
 * csvmap_parse(), then, when it parses, the fixed export through it
 * (csvmap_bind() and csvmap_row() for every row, as the import does).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvmap *map = NULL;
	struct msp_error err;

	if (csvmap_parse((const char *)data, size, &map, &err) != MSP_OK) {
		if (map != NULL)
			fuzz_fail("csvmap_parse failed but set *out");
		return 0;
	}
	fuzz_import(map, fuzz_export());
	csvmap_free(map);
	return 0;
}
