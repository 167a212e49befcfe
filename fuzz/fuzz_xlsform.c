/*
 * fuzz_xlsform — a workbook given to msp-report instrument import:
 * xlsform_read_xlsx_buffer() on any bytes.  Refused input must say why
 * (problems listed, or an I/O error for what is no workbook); accepted
 * input is a definition that xlsform_write() must write and
 * xlsform_read() read back identically (instrument_diff() finds
 * nothing), the promise export and import make to each other.
 *
 * The seeds (fuzz/corpus/fuzz_xlsform/) are workbooks whose parts are
 * stored, not deflated, so that the fuzzer's mutations reach the XML.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"
#include "instrument_version.h"
#include "xlsform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct instrument *ins)
{
	struct xlsform_problems problems = { BUF_INIT(BUF_MAX_DOCUMENT), 0 };
	struct instrument *back = NULL;
	struct buf diff = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	char path[] = "/tmp/fuzz_xlsform.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		fuzz_fail("xlsform: no temporary file");
	close(fd);
	if (xlsform_write(ins, path, &err) != MSP_OK)
		fuzz_fail("xlsform: a definition read could not be written");
	if (xlsform_read(path, &back, &problems, &err) != MSP_OK) {
		unlink(path);
		fuzz_fail("xlsform: what was written is not read back");
	}
	unlink(path);
	if (instrument_diff(ins, back, &diff) != 0 ||
	    ins->version != back->version)
		fuzz_fail("xlsform: the definition changed in a round trip");
	buf_free(&diff);
	xlsform_problems_free(&problems);
	instrument_free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsform_problems problems = { BUF_INIT(BUF_MAX_DOCUMENT), 0 };
	struct instrument *ins = NULL;
	struct msp_error err;
	enum msp_status st;

	st = xlsform_read_xlsx_buffer(data, size, &ins, &problems, &err);
	if (st == MSP_OK) {
		if (ins == NULL || problems.n != 0)
			fuzz_fail("xlsform: success with problems");
		round_trip(ins);
	} else if (ins != NULL) {
		fuzz_fail("xlsform: an instrument out of a failure");
	} else if (st == MSP_EINVAL && problems.n == 0) {
		fuzz_fail("xlsform: refused without a problem listed");
	}
	instrument_free(ins);
	xlsform_problems_free(&problems);
	return 0;
}
