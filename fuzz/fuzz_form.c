/*
 * fuzz_form — a questionnaire form body, as fcgi/forms.c reads it:
 * urlenc_parse(), submission_add_form(), then, as "_action" says,
 * either the re-shown form (which questions are asked, what was given)
 * or submission_validate() with the form's lenient rules.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "urlenc.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What render_form() asks of a submission to re-show the form. */
static void
reshow(const struct submission *sub, const struct instrument *ins)
{
	const char *const *given;
	size_t i, j, n;

	for (i = 0; i < ins->n_items; i++) {
		(void)submission_item_shown(sub, (int)i);
		(void)submission_error_for(sub, ins->items[i].key);
		given = submission_given(sub, (int)i, &n);
		for (j = 0; j < n; j++)
			if (given[j] == NULL || given[j][0] == '\0')
				fuzz_fail("an empty value kept as given");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct instrument *ins = fuzz_instrument();
	struct submission *sub = NULL;
	struct msp_error err;
	struct urlenc form;
	const char *action;
	enum msp_status st;
	size_t i;

	if (urlenc_parse((const char *)data, size, &form, &err) != MSP_OK)
		goto out;
	if (form.n > URLENC_MAX_FIELDS)
		fuzz_fail("more fields than URLENC_MAX_FIELDS");
	for (i = 0; i < form.n; i++)
		if (utf8_valid_prefix(form.fields[i].name,
				      strlen(form.fields[i].name)) !=
		    strlen(form.fields[i].name) ||
		    utf8_valid_prefix(form.fields[i].value,
				      strlen(form.fields[i].value)) !=
		    strlen(form.fields[i].value))
			fuzz_fail("urlenc let invalid UTF-8 through");
	action = urlenc_get(&form, "_action");
	if (action == NULL)
		action = "submit";
	sub = submission_new(ins);
	if (sub == NULL)
		goto out;
	st = submission_add_form(sub, &form, &err);
	if (st != MSP_OK)
		goto out;
	if (strcmp(action, "refresh") == 0) {
		reshow(sub, ins);
		goto out;
	}
	st = submission_validate(sub, SUBMISSION_LENIENT |
				 (strcmp(action, "submit") == 0
				  ? SUBMISSION_COMPLETE : 0), &err);
	fuzz_check_submission(sub, st);
	reshow(sub, ins);	/* a refused form is shown again */
out:
	submission_free(sub);
	urlenc_free(&form);
	return 0;
}
