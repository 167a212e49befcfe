/*
 * fuzz — the harnesses' instrument and the checks of their results.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "jsonin.h"
#include "utf8.h"

/* As GET /api/v1/studies/{slug}/instrument would print it. */
static const char instrument_json[] =
"{\"slug\":\"fuzz-occitanie\",\"version\":1,"
"\"title_fr\":\"L'implication des usagers (fuzz)\",\"items\":["
"{\"key\":\"structure_type\",\"type\":\"single_choice\","
" \"section_fr\":\"Profil de l'équipe\",\"label_fr\":\"Structure\","
" \"required\":true,\"options\":[{\"code\":\"esp\",\"label_fr\":\"ESP\"},"
" {\"code\":\"msp\",\"label_fr\":\"MSP\"}]},"
"{\"key\":\"aci_signatory\",\"type\":\"boolean\",\"label_fr\":\"ACI\","
" \"show_if\":{\"item\":\"structure_type\",\"values\":[\"msp\"]}},"
"{\"key\":\"project_validation_year\",\"type\":\"number\","
" \"label_fr\":\"Année\",\"min\":2000,\"max\":2024,\"integer_only\":true},"
"{\"key\":\"prof_count_total\",\"type\":\"number\",\"label_fr\":\"Nombre\","
" \"required\":true,\"min\":1,\"max\":500,\"integer_only\":true},"
"{\"key\":\"share_users\",\"type\":\"number\",\"label_fr\":\"Part\","
" \"min\":0,\"max\":100},"
"{\"key\":\"budget_eur\",\"type\":\"number\",\"label_fr\":\"Budget\","
" \"min\":0},"
"{\"key\":\"balance\",\"type\":\"number\",\"label_fr\":\"Solde\","
" \"max\":0.5,\"integer_only\":false},"
"{\"key\":\"def_usager\",\"type\":\"text\",\"section_fr\":\"Vision\","
" \"label_fr\":\"Usager\",\"max_length\":2000},"
"{\"key\":\"note\",\"type\":\"text\",\"label_fr\":\"Note\","
" \"help_fr\":\"Sans limite propre\"},"
"{\"key\":\"info_formats\",\"type\":\"multiple_choice\","
" \"label_fr\":\"Formats\",\"options\":[{\"code\":\"affiches\"},"
" {\"code\":\"flyers\"},{\"code\":\"site_internet\"},{\"code\":\"autre\"}]},"
"{\"key\":\"info_formats_other\",\"type\":\"text\",\"label_fr\":\"Autre\","
" \"max_length\":40,"
" \"show_if\":{\"item\":\"info_formats\",\"values\":[\"autre\"]}},"
"{\"key\":\"info_with_users\",\"type\":\"single_choice\","
" \"label_fr\":\"Avec les usagers\",\"options\":[{\"code\":\"oui\"},"
" {\"code\":\"non\"}]},"
"{\"key\":\"info_with_users_how\",\"type\":\"text\",\"label_fr\":\"Comment\","
" \"max_length\":40,"
" \"show_if\":{\"item\":\"info_with_users\",\"values\":[\"oui\"]}},"
"{\"key\":\"is_priority\",\"type\":\"boolean\",\"label_fr\":\"Priorité\"},"
"{\"key\":\"priority_reason\",\"type\":\"text\",\"label_fr\":\"Pourquoi\","
" \"max_length\":2000,"
" \"show_if\":{\"item\":\"is_priority\",\"values\":[\"oui\"]}},"
"{\"key\":\"want_more_stage\",\"type\":\"single_choice\","
" \"label_fr\":\"Stade\",\"options\":[{\"code\":\"reflexion\"},"
" {\"code\":\"autre\"}],"
" \"show_if\":{\"item\":\"want_more\",\"values\":[\"oui\"]}},"
"{\"key\":\"want_more\",\"type\":\"single_choice\",\"label_fr\":\"Plus\","
" \"options\":[{\"code\":\"oui\"},{\"code\":\"non\"}]},"
"{\"key\":\"exchange_spaces\",\"type\":\"single_choice\","
" \"label_fr\":\"Espaces\",\"options\":[{\"code\":\"oui\"},"
" {\"code\":\"non\"}]},"
"{\"key\":\"exchange_spaces_with_users\",\"type\":\"single_choice\","
" \"label_fr\":\"Avec\",\"required\":true,"
" \"options\":[{\"code\":\"oui\"},{\"code\":\"non\"}],"
" \"show_if\":{\"item\":\"exchange_spaces\",\"values\":[\"oui\"]}},"
"{\"key\":\"exchange_spaces_with_users_how\",\"type\":\"text\","
" \"label_fr\":\"Comment\",\"max_length\":2000,\"show_if\":"
" {\"item\":\"exchange_spaces_with_users\",\"values\":[\"oui\"]}},"
"{\"key\":\"exchange_spaces_worked_by\",\"type\":\"multiple_choice\","
" \"label_fr\":\"Par\",\"required\":true,\"options\":[{\"code\":\"mg\"},"
" {\"code\":\"ide\"},{\"code\":\"sage_femme\"},{\"code\":\"kine\"},"
" {\"code\":\"pharmacien\"}],"
" \"show_if\":{\"item\":\"exchange_spaces\",\"values\":[\"oui\"]}},"
"{\"key\":\"governance_how\",\"type\":\"single_choice\",\"label_fr\":\"Où\","
" \"options\":[{\"code\":\"association\"},{\"code\":\"comite_usagers\"},"
" {\"code\":\"autre\"}],"
" \"show_if\":{\"item\":\"structure_type\",\"values\":[\"msp\",\"esp\"]}},"
"{\"key\":\"interview_volunteer\",\"type\":\"boolean\",\"required\":true,"
" \"label_fr\":\"Entretien\"}"
"]}";

void
fuzz_fail(const char *why)
{
	fprintf(stderr, "fuzz: %s\n", why);
	abort();
}

const struct instrument *
fuzz_instrument(void)
{
	static struct instrument *ins;
	struct json_object *doc = NULL;
	struct msp_error err;

	if (ins != NULL)
		return ins;
	if (jsonin_parse(instrument_json, sizeof(instrument_json) - 1, &doc,
			 &err) != MSP_OK ||
	    instrument_from_json(doc, &ins, &err) != MSP_OK)
		fuzz_fail(err.message);
	json_object_put(doc);
	return ins;
}

static int
valid_utf8(const char *s)
{
	size_t n = strlen(s);

	return utf8_valid_prefix(s, n) == n;
}

/* A number answer: canonical, finite, within the item's rules. */
static void
check_number(const struct instrument_item *it, const char *number)
{
	char *end;
	double v;

	if (number == NULL)
		fuzz_fail("a number answer without its number");
	v = strtod(number, &end);
	if (*end != '\0' || end == number || !isfinite(v))
		fuzz_fail("a number answer that does not read back");
	if ((it->has_min && v < it->min_value) ||
	    (it->has_max && v > it->max_value))
		fuzz_fail("a number answer out of its bounds");
	if (it->integer_only && v != floor(v))
		fuzz_fail("a decimal answer to an integer-only item");
}

static void
check_answer(const struct submission *sub, const struct answer *a,
	     const struct answer *all, size_t index)
{
	const struct instrument *ins = fuzz_instrument();
	const struct instrument_item *it;
	size_t j, max;

	if (a->item < 0 || (size_t)a->item >= ins->n_items)
		fuzz_fail("an answer to no item");
	it = &ins->items[a->item];
	if (!submission_item_shown(sub, a->item))
		fuzz_fail("an answer to an item not asked");
	for (j = 0; j < index; j++)
		if (all[j].item == a->item &&
		    (it->type != ITEM_MULTIPLE_CHOICE ||
		     strcmp(all[j].choice, a->choice) == 0))
			fuzz_fail("an item answered twice");
	switch (it->type) {
	case ITEM_SINGLE_CHOICE:
	case ITEM_MULTIPLE_CHOICE:
		if (a->choice == NULL ||
		    item_find_option(it, a->choice) == NULL)
			fuzz_fail("a choice that is not an option");
		break;
	case ITEM_NUMBER:
		check_number(it, a->number);
		break;
	case ITEM_TEXT:
		max = it->max_length > 0 ? (size_t)it->max_length
					 : SUBMISSION_TEXT_MAX;
		if (a->text == NULL || !valid_utf8(a->text) ||
		    utf8_length(a->text) > max)
			fuzz_fail("a text answer too long or not UTF-8");
		break;
	case ITEM_BOOLEAN:
		if (a->boolean != 0 && a->boolean != 1)
			fuzz_fail("a boolean answer neither 0 nor 1");
		break;
	}
}

void
fuzz_check_submission(const struct submission *sub, enum msp_status st)
{
	const struct field_error *errors;
	const struct answer *answers;
	struct json_object *back = NULL;
	struct buf b = BUF_INIT;
	struct msp_error err;
	size_t i, n_errors, n_answers;

	errors = submission_errors(sub, &n_errors);
	answers = submission_answers(sub, &n_answers);
	if (st == MSP_ENOMEM)
		return;
	if ((st == MSP_OK) != (n_errors == 0) ||
	    (st != MSP_OK && st != MSP_EINVAL))
		fuzz_fail("the status and the error list disagree");
	for (i = 0; i < n_errors; i++)
		if (errors[i].field == NULL || errors[i].message == NULL ||
		    !valid_utf8(errors[i].field) ||
		    !valid_utf8(errors[i].message) ||
		    submission_error_for(sub, errors[i].field) == NULL)
			fuzz_fail("a field error without field or message");
	if (st != MSP_OK)
		return;
	for (i = 0; i < n_answers; i++)
		check_answer(sub, &answers[i], answers, i);
	/* What msp.store_answers() will read must be JSON we accept. */
	submission_answers_json(sub, &b);
	if (buf_status(&b, NULL) == MSP_OK) {
		if (jsonin_parse(buf_str(&b), b.len, &back, &err) != MSP_OK)
			fuzz_fail(err.message);
		if (!json_object_is_type(back, json_type_array) ||
		    json_object_array_length(back) != n_answers)
			fuzz_fail("submission_answers_json lost answers");
		json_object_put(back);
	}
	buf_free(&b);
}
