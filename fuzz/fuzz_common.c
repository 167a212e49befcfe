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
static const char instrument_text[] =
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
	if (jsonin_parse(instrument_text, sizeof(instrument_text) - 1, &doc,
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
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
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

/* --- the import ------------------------------------------------------ */

static const char mapping_text[] =
"# Microsoft Forms, the fuzz instrument\n"
"\"ID\" = @id\n"
"\"Heure de début\" = @ignore\n"
"\"Heure de fin\" = @submitted\n"
"\"Statut\" = @status\n"
"    \"Terminé\" -> complete\n"
"    \"Partiel\" -> partial\n"
"\"Nom et commune de votre structure\" = @structure\n"
"\"Votre fonction\" = @role\n"
"    \"Médecin généraliste\" -> mg\n"
"    \"Coordinateur / coordinatrice\" -> coordinateur\n"
"\"Type de structure\" = structure_type\n"
"    \"Maison de santé pluriprofessionnelle (MSP)\" -> msp\n"
"    \"Équipe de soins primaires (ESP)\" -> esp\n"
"\"Signataire de l'ACI\" = aci_signatory\n"
"\"Année\" = project_validation_year\n"
"\"Nombre de professionnels\" = prof_count_total\n"
"\"Part des usagers (%)\" = share_users\n"
"\"Solde\" = balance\n"
"\"Qu'est-ce qu'un usager ?\" = def_usager\n"
"\"Formats\" = info_formats\n"
"    \"Site internet\" -> site_internet\n"
"    \"Aucun\" -> \"\"\n"
"\"Autre format\" = info_formats_other\n"
"\"Avec les usagers\" = info_with_users\n"
"\"Comment\" = info_with_users_how\n"
"\"Priorité\" = is_priority\n"
"\"Pourquoi\" = priority_reason\n"
"\"Plus\" = want_more\n"
"\"Stade\" = want_more_stage\n"
"\"Espaces\" = exchange_spaces\n"
"\"Avec eux\" = exchange_spaces_with_users\n"
"\"Médecins\" = exchange_spaces_worked_by[mg]\n"
"\"Infirmiers\" = exchange_spaces_worked_by[ide]\n"
"\"Entretien\" = interview_volunteer\n";

static const char export_text[] =
"\xef\xbb\xbf" "ID;Heure de début;Heure de fin;Statut;"
"Nom et commune de votre structure;Votre fonction;Type de structure;"
"Signataire de l'ACI;Année;Nombre de professionnels;"
"Part des usagers (%);Solde;Qu'est-ce qu'un usager ?;Formats;"
"Autre format;Avec les usagers;Comment;Priorité;Pourquoi;Plus;Stade;"
"Espaces;Avec eux;Médecins;Infirmiers;Entretien;Colonne inconnue\r\n"
"1;2024-03-01 10:00;2024-03-01T10:12:00Z;Terminé;MSP des Lilas, Albi;"
"Médecin généraliste;Maison de santé pluriprofessionnelle (MSP);Oui;"
"2018;23;12,5;-3;Une personne, qui consulte;"
"\"affiches;Site internet;autre;\";Écran;oui;\"Atelier \"\"usagers\"\"\";"
"Vrai;Le projet;oui;reflexion;oui;non;1;x;non;\r\n"
"2;;;Partiel;  ESP du Causse  ;Coordinateur / coordinatrice;"
"Équipe de soins primaires (ESP);;;;;;;Aucun;;;;;;;;non;;;;Y;\r\n"
"3;;2024-02-30 10:00;fini;;infirmière;CDS;peut-être;1999;2,5;-1;1;"
"\"trop\nlong\";affiches;;;;;;;;non;oui;2;;;\r\n";

/* The respondent roles the database knows, as far as these files go. */
static const char *const roles[] = { "mg", "ide", "coordinateur", "autre" };

static const struct secret fuzz_secret = {
	.key = (unsigned char *)"fuzz secret: 32 bytes or more ...",
	.len = 33,
};

const struct csvmap *
fuzz_mapping(void)
{
	static struct csvmap *map;
	struct msp_error err;

	if (map == NULL &&
	    csvmap_parse(mapping_text, sizeof(mapping_text) - 1, &map, &err)
	    != MSP_OK)
		fuzz_fail(err.message);
	return map;
}

const struct csv *
fuzz_export(void)
{
	static struct csv *csv;
	struct msp_error err;

	if (csv == NULL &&
	    csv_parse(export_text, sizeof(export_text) - 1, 0, &csv, &err)
	    != MSP_OK)
		fuzz_fail(err.message);
	return csv;
}

const char *
fuzz_instrument_text(size_t *len)
{
	*len = sizeof(instrument_text) - 1;
	return instrument_text;
}

const char *
fuzz_mapping_text(size_t *len)
{
	*len = sizeof(mapping_text) - 1;
	return mapping_text;
}

const char *
fuzz_export_text(size_t *len)
{
	*len = sizeof(export_text) - 1;
	return export_text;
}

/* A record's identifying fields, as csvmap.h describes them. */
static void
check_record(const struct csvmap_record *rec, enum msp_status st)
{
	size_t i, n = strlen(rec->pseudonym);

	if (st == MSP_OK &&
	    (n != CRYPTO_SHA256_HEX - 1 ||
	     strspn(rec->pseudonym, "0123456789abcdef") != n))
		fuzz_fail("an imported row without its pseudonym");
	if (st != MSP_OK && n != 0)
		fuzz_fail("a refused row keeps a pseudonym");
	if (rec->role != NULL) {
		for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
			if (rec->role == roles[i])
				break;
		if (i == sizeof(roles) / sizeof(roles[0]))
			fuzz_fail("a role that is not one of the roles");
	}
	if (rec->id != NULL &&
	    (rec->id[0] == '\0' || strlen(rec->id) > CSVMAP_ID_MAX))
		fuzz_fail("an @id empty or too long");
	if (rec->submitted[0] != '\0' &&
	    strlen(rec->submitted) != CSVMAP_TIME_LEN - 1)
		fuzz_fail("an @submitted not YYYY-MM-DD HH:MM:SS");
}

void
fuzz_import(const struct csvmap *map, const struct csv *csv)
{
	struct csvmap_binding *b = NULL;
	struct csvmap_record rec;
	struct msp_error err;
	enum msp_status st;
	const char *const *unmapped;
	size_t i, n;

	if (csvmap_bind(map, &csv->rows[0], fuzz_instrument(), roles,
			sizeof(roles) / sizeof(roles[0]), &b, &err) != MSP_OK) {
		if (b != NULL)
			fuzz_fail("csvmap_bind failed but set *out");
		return;
	}
	unmapped = csvmap_unmapped(b, &n);
	for (i = 0; i < n; i++)
		if (unmapped[i] == NULL || unmapped[i][0] == '\0')
			fuzz_fail("an unmapped column without a name");
	for (i = 1; i < csv->n_rows; i++) {
		st = csvmap_row(b, &csv->rows[i], &fuzz_secret, &rec, &err);
		if (rec.sub == NULL) {
			if (st != MSP_ENOMEM)
				fuzz_fail("csvmap_row gave no submission");
		} else {
			fuzz_check_submission(rec.sub, st);
			check_record(&rec, st);
		}
		csvmap_record_clear(&rec);
	}
	csvmap_binding_free(b);
}
