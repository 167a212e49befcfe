/*
 * fuzz_submission_json — a POST /api/v1/responses body, as fcgi/api.c
 * reads it: jsonin_parse(), then the "answers" object (or the whole
 * object, to reach answers sooner) through submission_add_json() and
 * submission_validate(), complete unless "status" is "partial".
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *doc = NULL, *answers, *status;
	struct submission *sub = NULL;
	struct msp_error err;
	enum msp_status st;
	int flags = SUBMISSION_COMPLETE;

	if (jsonin_parse((const char *)data, size, &doc, &err) != MSP_OK) {
		if (doc != NULL)
			fuzz_fail("jsonin_parse failed but set *out");
		return 0;
	}
	if (!json_object_object_get_ex(doc, "answers", &answers))
		answers = doc;
	if (!json_object_is_type(answers, json_type_object))
		goto out;
	if (json_object_object_get_ex(doc, "status", &status) &&
	    json_object_is_type(status, json_type_string) &&
	    strcmp(json_object_get_string(status), "partial") == 0)
		flags = 0;
	sub = submission_new(fuzz_instrument());
	if (sub == NULL)
		goto out;
	st = submission_add_json(sub, answers, &err);
	if (st == MSP_OK)
		st = submission_validate(sub, flags, &err);
	fuzz_check_submission(sub, st);
out:
	submission_free(sub);
	json_object_put(doc);
	return 0;
}
