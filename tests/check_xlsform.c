/*
 * Instruments as XLSForm files (lib/xlsform.c, lib/instrument_version.c,
 * cli/cmd_instrument.c, sql/migrations/0029) against real databases.
 *
 * The oracles: what the database holds (every column of the instrument,
 * its items and options, compared between the database a file was
 * exported from and one it was imported into); openpyxl, which reads
 * the .xlsx we write and writes one we read (tests/xlsform_openpyxl.py);
 * and, for the mistakes and the hand-made file, values written by hand
 * beside the files in tests/data/xlsform/.
 */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "testdb.h"

static struct testdb db, other;
static char tmpdir[64];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/msp-xlsform.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	memset(&other, 0, sizeof(other));
}

static void
teardown(void)
{
	char cmd[128];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);

	testdb_close(&other);
	testdb_close(&db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	testdb_shell(cmd, &out);
	buf_free(&out);
}

/* Runs msp-report against conn; its output in *out (reset first). */
static int
cli(PGconn *conn, struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
cli(PGconn *conn, struct buf *out, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	buf_reset(out);
	return testdb_cli(conn, NULL, "", args, out);
}

/* Every row of sql (parameters slug, version) as "a|b|...\n" lines,
 * NULL as "<null>". */
static void
dump_rows(PGconn *conn, const char *sql, const char *slug,
	  const char *version, struct buf *out)
{
	const char *params[2] = { slug, version };
	struct msp_error err;
	PGresult *res = NULL;
	int r, c;

	ck_assert_msg(db_exec(conn, "dump", sql, 2, params, PGRES_TUPLES_OK,
			      &res, &err) == MSP_OK, "%s", err.message);
	for (r = 0; r < PQntuples(res); r++) {
		for (c = 0; c < PQnfields(res); c++)
			buf_printf(out, "%s%s", c ? "|" : "",
				   PQgetisnull(res, r, c)
				   ? "<null>" : PQgetvalue(res, r, c));
		buf_putc(out, '\n');
	}
	PQclear(res);
}

/* Everything the database holds of one instrument version but its
 * ids and dates: the instrument, its items and its options. */
static void
dump_instrument(PGconn *conn, const char *slug, const char *version,
		struct buf *out)
{
	dump_rows(conn, "SELECT slug, version, title_fr, title_en"
		  "  FROM msp.instrument WHERE slug = $1 AND version = $2",
		  slug, version, out);
	dump_rows(conn, "SELECT it.item_key, it.position, it.section_fr,"
		  "  it.item_type, it.label_fr, it.label_en, it.help_fr,"
		  "  it.required, it.min_value, it.max_value,"
		  "  it.integer_only, it.max_length, it.show_if_item,"
		  "  it.show_if_values, it.label_verbatim"
		  "  FROM msp.instrument_item it JOIN msp.instrument i"
		  "       USING (instrument_id)"
		  " WHERE i.slug = $1 AND i.version = $2 ORDER BY position",
		  slug, version, out);
	dump_rows(conn, "SELECT o.item_key, o.code, o.position, o.label_fr,"
		  "  o.label_en"
		  "  FROM msp.item_option o JOIN msp.instrument i"
		  "       USING (instrument_id)"
		  " WHERE i.slug = $1 AND i.version = $2"
		  " ORDER BY o.item_key, o.position",
		  slug, version, out);
}

/* got and want, line by line: Check cannot carry a message of the
 * whole dumps, so the first line that differs is the message. */
static void
assert_same_lines(const char *got, const char *want)
{
	size_t line = 1;

	while (*got != '\0' || *want != '\0') {
		size_t ng = strcspn(got, "\n"), nw = strcspn(want, "\n");

		ck_assert_msg(ng == nw && memcmp(got, want, ng) == 0,
			      "line %zu: got \"%.*s\", want \"%.*s\"", line,
			      (int)(ng > 600 ? 600 : ng), got,
			      (int)(nw > 600 ? 600 : nw), want);
		got += ng + (got[ng] == '\n');
		want += nw + (want[nw] == '\n');
		line++;
	}
}

static long
count(PGconn *conn, const char *sql)
{
	return strtol(testdb_value(conn, sql), NULL, 10);
}

/* Both reference instruments: exported, then imported into an empty
 * database, every column is the same; imported again where they came
 * from, nothing changes. */
START_TEST(reference_instruments_round_trip)
{
	static const char *const slugs[] = { "pdl-2019", "occitanie-2024" };
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf a = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *slug = slugs[_i];
	char file[128];

	testdb_open(&other);
	testdb_load(&other, NULL);
	snprintf(file, sizeof(file), "%s/%s.xlsx", tmpdir, slug);
	ck_assert_int_eq(cli(db.conn, &out, "instrument export %s -o %s",
			     slug, file), 0);
	ck_assert_int_eq(cli(other.conn, &out, "instrument import %s",
			     file), 0);
	ck_assert_msg(strstr(buf_str(&out), "@1 enregistré") != NULL, "%s",
		      buf_str(&out));
	dump_instrument(db.conn, slug, "1", &a);
	dump_instrument(other.conn, slug, "1", &b);
	/* not two empty dumps: the reference has items with conditions,
	 * bounds and options */
	ck_assert_ptr_nonnull(strstr(buf_str(&a), "|{oui}|"));
	ck_assert_int_gt(a.len, 5000);
	assert_same_lines(buf_str(&b), buf_str(&a));

	ck_assert_int_eq(cli(db.conn, &out, "instrument import %s", file), 0);
	ck_assert_msg(strstr(buf_str(&out), "@1 inchangé") != NULL, "%s",
		      buf_str(&out));
	ck_assert_int_eq(count(db.conn, "SELECT count(*) FROM msp.instrument"),
			 2);
	buf_free(&out);
	buf_free(&a);
	buf_free(&b);
}
END_TEST

/* The Occitanie questionnaire plus one question, as a federation would
 * write it from the exported file: a new version, the one with
 * responses untouched, and diff names the question. */
START_TEST(occitanie_plus_one_item_is_a_new_version)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf before = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf after = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *python = getenv("MSP_PYTHON3");
	char file[128], cmd[768];

	ck_assert_msg(python && *python, "configure found no python3");
	snprintf(file, sizeof(file), "%s/occ.xlsx", tmpdir);
	ck_assert_int_eq(cli(db.conn, &out, "instrument export "
			     "occitanie-2024 -o %s", file), 0);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' addrow '%s' survey text "
		 "nouvelle_question 'Une question de plus'", python,
		 testdb_srcpath("tests/xlsform_openpyxl.py"), file);
	ck_assert_int_eq(testdb_shell(cmd, &out), 0);
	dump_instrument(db.conn, "occitanie-2024", "1", &before);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import %s", file), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "occitanie-2024@1 existe "
				     "et diffère : occitanie-2024@2 "
				     "enregistré (40 questions)"));
	dump_instrument(db.conn, "occitanie-2024", "1", &after);
	assert_same_lines(buf_str(&after), buf_str(&before));
	ck_assert_int_eq(cli(db.conn, &out, "instrument diff occitanie-2024@1"
			     " occitanie-2024@2"), 0);
	ck_assert_str_eq(buf_str(&out), "+ item nouvelle_question (text) "
			 "« Une question de plus »\n");
	/* the study still uses version 1 and its responses */
	ck_assert_int_eq(count(db.conn, "SELECT count(*) FROM msp.response r"
			       " JOIN msp.instrument i USING (instrument_id)"
			       " WHERE i.slug = 'occitanie-2024'"
			       "   AND i.version = 2"), 0);
	buf_free(&out);
	buf_free(&before);
	buf_free(&after);
}
END_TEST

/* Column index of header name in row 0 of sheet, or -1. */
static int
header_index(struct json_object *sheet, const char *name)
{
	struct json_object *h = json_object_array_get_idx(sheet, 0);
	size_t i;

	for (i = 0; h && i < json_object_array_length(h); i++)
		if (strcmp(json_object_get_string(
				   json_object_array_get_idx(h, i)), name) == 0)
			return (int)i;
	return -1;
}

static const char *
cell(struct json_object *sheet, size_t row, int col)
{
	struct json_object *r = json_object_array_get_idx(sheet, row);

	ck_assert_int_ge(col, 0);
	if (r == NULL || (size_t)col >= json_object_array_length(r))
		return "";
	return json_object_get_string(json_object_array_get_idx(r,
								(size_t)col));
}

/* openpyxl reads our .xlsx, and its cells are the database's. */
START_TEST(openpyxl_reads_the_export)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct json_object *doc, *survey, *choices, *settings;
	const char *python = getenv("MSP_PYTHON3");
	struct msp_error err;
	PGresult *res = NULL;
	char file[128];
	size_t row = 1;
	int r, c_type, c_name, c_label, c_label_en, c_hint, c_req;

	ck_assert_msg(python && *python, "configure found no python3");
	snprintf(file, sizeof(file), "%s/occ.xlsx", tmpdir);
	ck_assert_int_eq(cli(db.conn, &out, "instrument export "
			     "occitanie-2024@1 -o %s", file), 0);
	buf_reset(&out);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "'%s' '%s' dump '%s'", python,
			 testdb_srcpath("tests/xlsform_openpyxl.py"), file);
		ck_assert_int_eq(testdb_shell(cmd, &out), 0);
	}
	doc = json_tokener_parse(buf_str(&out));
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "survey", &survey));
	ck_assert(json_object_object_get_ex(doc, "choices", &choices));
	ck_assert(json_object_object_get_ex(doc, "settings", &settings));
	c_type = header_index(survey, "type");
	c_name = header_index(survey, "name");
	c_label = header_index(survey, "label::fr");
	c_label_en = header_index(survey, "label::en");
	c_hint = header_index(survey, "hint::fr");
	c_req = header_index(survey, "required");

	ck_assert_int_eq(db_exec(db.conn, "items",
		"SELECT it.item_key, it.item_type::text AS t, it.label_fr,"
		"  coalesce(it.label_en, '') AS label_en,"
		"  coalesce(it.help_fr, '') AS help_fr, it.required,"
		"  it.integer_only, it.section_fr"
		"  FROM msp.instrument_item it JOIN msp.instrument i"
		"       USING (instrument_id)"
		" WHERE i.slug = 'occitanie-2024' AND i.version = 1"
		" ORDER BY it.position", 0, NULL, PGRES_TUPLES_OK, &res,
		&err), MSP_OK);
	ck_assert_int_eq(PQntuples(res), 39);
	for (r = 0; r < PQntuples(res); r++, row++) {
		const char *key = db_text(res, r, "item_key");
		const char *t = db_text(res, r, "t");
		char want[160];

		/* a group opens where the section changes */
		while (strncmp(cell(survey, row, c_type), "begin group", 11)
		       == 0 || strcmp(cell(survey, row, c_type),
				      "end group") == 0) {
			if (cell(survey, row, c_type)[0] == 'b')
				ck_assert_str_eq(cell(survey, row, c_label),
						 db_text(res, r, "section_fr"));
			row++;
		}
		if (strcmp(t, "single_choice") == 0)
			snprintf(want, sizeof(want), "select_one %s", key);
		else if (strcmp(t, "multiple_choice") == 0)
			snprintf(want, sizeof(want), "select_multiple %s",
				 key);
		else if (strcmp(t, "boolean") == 0)
			snprintf(want, sizeof(want), "select_one msp_oui_non");
		else if (strcmp(t, "number") == 0)
			snprintf(want, sizeof(want), "%s",
				 db_text(res, r, "integer_only")[0] == 't'
				 ? "integer" : "decimal");
		else
			snprintf(want, sizeof(want), "text");
		ck_assert_str_eq(cell(survey, row, c_type), want);
		ck_assert_str_eq(cell(survey, row, c_name), key);
		ck_assert_str_eq(cell(survey, row, c_label),
				 db_text(res, r, "label_fr"));
		ck_assert_str_eq(cell(survey, row, c_label_en),
				 db_text(res, r, "label_en"));
		ck_assert_str_eq(cell(survey, row, c_hint),
				 db_text(res, r, "help_fr"));
		ck_assert_str_eq(cell(survey, row, c_req),
				 db_text(res, r, "required")[0] == 't'
				 ? "yes" : "");
	}
	PQclear(res);

	/* the choices, list by list in item order */
	ck_assert_int_eq(db_exec(db.conn, "options",
		"SELECT o.item_key, o.code, o.label_fr"
		"  FROM msp.item_option o JOIN msp.instrument i"
		"       USING (instrument_id)"
		"  JOIN msp.instrument_item it"
		"       USING (instrument_id, item_key)"
		" WHERE i.slug = 'occitanie-2024' AND i.version = 1"
		" ORDER BY it.position, o.position", 0, NULL,
		PGRES_TUPLES_OK, &res, &err), MSP_OK);
	ck_assert_int_gt(PQntuples(res), 50);
	for (r = 0; r < PQntuples(res); r++) {
		ck_assert_str_eq(cell(choices, (size_t)r + 1,
				      header_index(choices, "list_name")),
				 db_text(res, r, "item_key"));
		ck_assert_str_eq(cell(choices, (size_t)r + 1,
				      header_index(choices, "name")),
				 db_text(res, r, "code"));
		ck_assert_str_eq(cell(choices, (size_t)r + 1,
				      header_index(choices, "label::fr")),
				 db_text(res, r, "label_fr"));
	}
	PQclear(res);
	ck_assert_str_eq(cell(settings, 1, header_index(settings, "form_id")),
			 "occitanie-2024");
	ck_assert_str_eq(cell(settings, 1, header_index(settings, "version")),
			 "1");
	ck_assert_str_eq(cell(settings, 1,
			      header_index(settings, "form_title")),
			 testdb_value(db.conn, "SELECT title_fr FROM "
				      "msp.instrument WHERE slug = "
				      "'occitanie-2024'"));
	json_object_put(doc);
	buf_free(&out);
}
END_TEST

/* A workbook openpyxl writes as a person would (numbers as numbers,
 * TRUE, gaps, inline strings, an extra sheet) is read as written in
 * tests/xlsform_openpyxl.py. */
START_TEST(handmade_workbook_is_read)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf got = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *python = getenv("MSP_PYTHON3");
	char file[128], cmd[512];

	ck_assert_msg(python && *python, "configure found no python3");
	snprintf(file, sizeof(file), "%s/main.xlsx", tmpdir);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' handmade '%s'", python,
		 testdb_srcpath("tests/xlsform_openpyxl.py"), file);
	ck_assert_int_eq(testdb_shell(cmd, &out), 0);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import %s", file), 0);
	ck_assert_msg(strstr(buf_str(&out), "essai-main@3 enregistré"),
		      "%s", buf_str(&out));
	dump_instrument(db.conn, "essai-main", "3", &got);
	ck_assert_str_eq(buf_str(&got),
		"essai-main|3|Questionnaire fait à la main|<null>\n"
		"taille|1|Profil|single_choice|Taille de l'équipe|Team size|"
		"Une seule réponse|t|<null>|<null>|f|<null>|<null>|<null>|f\n"
		"nb_pro|2|Profil|number|Nombre de professionnels|<null>|"
		"<null>|f|1|250|t|<null>|taille|{2}|f\n"
		"outils|3||multiple_choice|Outils utilisés|<null>|<null>|f|"
		"<null>|<null>|f|<null>|<null>|<null>|f\n"
		"outils_autre|4||text|Précisez|<null>|<null>|f|<null>|<null>|"
		"f|200|outils|{autre}|f\n"
		"accord|5||boolean|D'accord ?|<null>|<null>|t|<null>|<null>|"
		"f|<null>|<null>|<null>|f\n"
		"part|6||number|Part des usagers|<null>|<null>|f|0.5|<null>|"
		"f|<null>|accord|{oui}|f\n"
		"outils|affiches|1|Affiches|<null>\n"
		"outils|autre|2|Autre|<null>\n"
		"taille|1|1|Moins de 10|<null>\n"
		"taille|2|2|10 ou plus|<null>\n");
	buf_free(&out);
	buf_free(&got);
}
END_TEST

/* Every mistake of tests/data/xlsform/errors is listed with its sheet,
 * row and column, and nothing is stored. */
START_TEST(every_mistake_is_listed_and_nothing_stored)
{
	static const char *const expected[] = {
		"settings, 2, form_id: « Essai Form » : un identifiant",
		"settings, 2, version: « v2 » : un numéro de version",
		"settings, 2, default_language: « de » : les questionnaires "
		"sont en français",
		"choices, 3, name: le code « rouge » est déjà dans la liste "
		"couleurs",
		"choices, 4, name: « Bleu » : un code",
		"choices, 5, label: libellé vide",
		"survey, 12, appearance: colonne non prise en charge",
		"survey, 17, hint::de: aide en français seulement",
		"survey, 3, type: groupe dans un groupe (ligne 2)",
		"survey, 4, required: « maybe » : yes ou no",
		"survey, 5, type: la liste « absente » n'est pas dans choices",
		"survey, 6, name: « Age » : un nom",
		"survey, 6, constraint: seuls >= et <=",
		"survey, 7, relevant: « and » : le modèle ne garde qu'une "
		"condition",
		"survey, 8, name: « commentaire » : nom déjà pris (ligne 7)",
		"survey, 9, type: « date » : le modèle d'instrument n'a pas "
		"encore ce type",
		"survey, 10, type: « note » :",
		"survey, 11, type: or_other : écrire l'option « autre »",
		"survey, 12, relevant: ${inconnu} : aucune question de ce nom",
		"survey, 13, constraint: une longueur pour un texte seulement",
		"survey, 15, type: « geopoint » : type non pris en charge",
		"survey, 16, label: libellé vide",
	};
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	size_t i, lines = 0;
	const char *p;

	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/errors")), 1);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		ck_assert_msg(strstr(buf_str(&out), expected[i]) != NULL,
			      "missing: %s\nin:\n%s", expected[i],
			      buf_str(&out));
	for (p = buf_str(&out); (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	/* those, and the summary line */
	ck_assert_int_eq(lines, i + 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "22 erreurs, rien "
				     "n'est enregistré"));
	ck_assert_int_eq(count(db.conn, "SELECT count(*) FROM msp.instrument"),
			 2);

	/* a file that is no workbook */
	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/errors/"
					    "survey.csv")), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "pas un fichier .xlsx"));
	buf_free(&out);
}
END_TEST

/* A file with more mistakes than are listed says how many more. */
START_TEST(problems_beyond_the_cap_are_counted)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char dir[128], path[160];
	size_t i, lines = 0;
	const char *p;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/many", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/settings.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("form_id,form_title\nbeaucoup,Beaucoup\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/survey.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("type,name,label\n", f);
	for (i = 0; i < 600; i++)
		fprintf(f, "geopoint,lieu_%zu,Lieu\n", i);
	fclose(f);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import --check %s",
			     dir), 1);
	for (p = buf_str(&out); (p = strstr(p, ": « geopoint »")) != NULL;
	     p++)
		lines++;
	ck_assert_int_eq(lines, 500);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "survey, 501, type: "));
	ck_assert_ptr_null(strstr(buf_str(&out), "survey, 502, type: "));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "… et 100 autres "
				     "erreurs\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "600 erreurs, rien"));
	buf_free(&out);
}
END_TEST

/* A changed file is a new version; diff names what changed; a version
 * with responses cannot change, one without can. */
START_TEST(versions_diff_and_immutability)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	PGresult *res;

	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/v1")), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "essai-vagues@1 "
				     "enregistré (5 questions)"));
	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/v1")), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "essai-vagues@1 "
				     "inchangé"));
	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/v2")), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "essai-vagues@2 "
				     "enregistré (5 questions)"));
	ck_assert_int_eq(count(db.conn, "SELECT count(*) FROM msp.instrument"
			       " WHERE slug = 'essai-vagues'"), 2);
	ck_assert_int_eq(cli(db.conn, &out, "instrument diff essai-vagues@1 "
			     "essai-vagues@2"), 0);
	/* tests/data/xlsform/v2 against v1, by hand */
	ck_assert_str_eq(buf_str(&out),
		"- item remarque\n"
		"+ choice statut/cds « Centre de santé »\n"
		"~ item nb_pro: label_fr « Nombre de professionnels » -> "
		"« Nombre total de professionnels »\n"
		"~ item nb_pro: required non -> oui\n"
		"~ item nb_pro: max 500 -> 300\n"
		"- choice canaux/site\n"
		"+ item volontaire (single_choice) « Accepteriez-vous un "
		"entretien ? »\n");
	ck_assert_int_eq(cli(db.conn, &out, "instrument list"), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "essai-vagues"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "occitanie-2024"));

	/* occitanie-2024@1 has responses: no change, by anyone */
	res = PQexec(db.conn, "UPDATE msp.instrument_item SET label_fr = 'x'"
		     " WHERE item_key = 'def_usager'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "55000");
	ck_assert_ptr_nonnull(strstr(PQresultErrorMessage(res),
				     "a des réponses"));
	PQclear(res);
	res = PQexec(db.conn, "DELETE FROM msp.item_option o USING "
		     "msp.instrument i WHERE i.instrument_id = o.instrument_id"
		     " AND i.slug = 'pdl-2019' AND o.code = 'oui'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
	res = PQexec(db.conn, "INSERT INTO msp.instrument_item (instrument_id,"
		     " item_key, position, item_type, label_fr)"
		     " SELECT instrument_id, 'ajout', 1000, 'text', 'Ajout'"
		     "   FROM msp.instrument WHERE slug = 'occitanie-2024'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
	/* essai-vagues@1 has none: it may still be corrected */
	res = PQexec(db.conn, "UPDATE msp.instrument_item it SET label_fr = "
		     "'Remarque libre' FROM msp.instrument i WHERE"
		     " i.instrument_id = it.instrument_id AND"
		     " i.slug = 'essai-vagues' AND i.version = 1 AND"
		     " it.item_key = 'remarque'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	buf_free(&out);
}
END_TEST

/* Writes text to file name of folder dir. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Review finding 3: expressions past 1023 bytes were cut where they
 * were copied, and the rest of the condition silently dropped; cells
 * of the short columns were cut too (a type cell's or_other).  Now
 * expressions are read whole and a short column's long cell refused. */
START_TEST(long_cells_are_read_whole_or_refused)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf csv = BUF_INIT(BUF_MAX_DOCUMENT);
	char dir[128], pad[1101];
	size_t i;

	memset(pad, ' ', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(dir, sizeof(dir), "%s/long", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	write_file(dir, "settings.csv", "form_id,form_title\nlong,Long\n");
	write_file(dir, "choices.csv", "list_name,name,label\n"
		   "statut,msp,MSP\nstatut,esp,ESP\nstatut,cds,CDS\n");
	buf_puts(&csv, "type,name,label,relevant,constraint\n"
		 "select_one statut,statut,Statut,,\n");
	/* padded past the old 1024-byte buffers */
	buf_printf(&csv, "integer,nb,Nombre,\"${statut} = 'msp'%s or "
		   "${statut} = 'esp'\",\". >= 1%s and . <= 5\"\n", pad, pad);
	/* long without padding: 40 conditions in parentheses */
	buf_puts(&csv, "text,autre,Autre,\"");
	for (i = 0; i < 40; i++)
		buf_printf(&csv, "%s((${statut} = '%s'))", i ? " or " : "",
			   i % 2 ? "cds" : "esp");
	buf_puts(&csv, "\",\n");
	ck_assert_int_gt(csv.len, 3 * 1024);
	write_file(dir, "survey.csv", buf_str(&csv));
	ck_assert_msg(cli(db.conn, &out, "instrument import %s", dir) == 0,
		      "%s", buf_str(&out));
	ck_assert_str_eq(testdb_value(db.conn, "SELECT show_if_values::text"
				      " || ' ' || max_value FROM"
				      " msp.instrument_item it JOIN"
				      " msp.instrument i USING (instrument_id)"
				      " WHERE i.slug = 'long' AND"
				      " it.item_key = 'nb'"), "{msp,esp} 5");
	ck_assert_str_eq(testdb_value(db.conn, "SELECT show_if_values::text"
				      " FROM msp.instrument_item it JOIN"
				      " msp.instrument i USING (instrument_id)"
				      " WHERE i.slug = 'long' AND"
				      " it.item_key = 'autre'"), "{esp,cds}");

	/* a type cell whose or_other sits past 255 bytes; parentheses 33
	 * deep, and a form's worth of them (each level a stack frame) */
	buf_reset(&csv);
	buf_printf(&csv, "type,name,label,relevant\n"
		   "select_one statut,statut,Statut,\n"
		   "select_one statut%s or_other,s2,Statut,\n"
		   "text,t1,T1,", pad);
	for (i = 0; i < 33; i++)
		buf_putc(&csv, '(');
	buf_puts(&csv, "${statut} = 'msp'");
	for (i = 0; i < 33; i++)
		buf_putc(&csv, ')');
	buf_puts(&csv, "\ntext,t2,T2,");
	for (i = 0; i < 30000; i++)
		buf_putc(&csv, '(');
	buf_putc(&csv, '\n');
	write_file(dir, "survey.csv", buf_str(&csv));
	ck_assert_int_eq(cli(db.conn, &out, "instrument import --check %s",
			     dir), 1);
	ck_assert_msg(strstr(buf_str(&out), "survey, 3, type: trop long : au "
			     "plus 255 octets") != NULL, "%s", buf_str(&out));
	ck_assert_msg(strstr(buf_str(&out), "survey, 4, relevant: plus de 32 "
			     "parenthèses") != NULL, "%s", buf_str(&out));
	ck_assert_msg(strstr(buf_str(&out), "survey, 5, relevant: plus de 32 "
			     "parenthèses") != NULL, "%s", buf_str(&out));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "3 erreurs, rien"));
	buf_free(&out);
	buf_free(&csv);
}
END_TEST

/* Review finding 13: a form_id is a slug as study create takes it, 63
 * characters at most (lib/slug.c, the schema's CHECK and the CLI's). */
START_TEST(form_id_is_a_slug_of_63_at_most)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char dir[128], id[80], settings[160];

	snprintf(dir, sizeof(dir), "%s/slug", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	write_file(dir, "survey.csv", "type,name,label\ntext,remarque,"
		   "Remarque\n");
	memset(id, 'a', 64);
	id[64] = '\0';
	snprintf(settings, sizeof(settings), "form_id,form_title\n%s,T\n", id);
	write_file(dir, "settings.csv", settings);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import --check %s",
			     dir), 1);
	ck_assert_msg(strstr(buf_str(&out), "settings, 2, form_id: « aaaa") &&
		      strstr(buf_str(&out), "un identifiant de 1 à 63"),
		      "%s", buf_str(&out));
	/* 63: imported, then named by study create */
	id[63] = '\0';
	snprintf(settings, sizeof(settings), "form_id,form_title\n%s,T\n", id);
	write_file(dir, "settings.csv", settings);
	ck_assert_msg(cli(db.conn, &out, "instrument import %s", dir) == 0,
		      "%s", buf_str(&out));
	ck_assert_msg(cli(db.conn, &out, "study create essai-63 --region "
			  "occitanie --instrument %s@1 --year 2025 --title T",
			  id) == 0, "%s", buf_str(&out));
	ck_assert_int_eq(count(db.conn, "SELECT count(*) FROM msp.study s"
			       " JOIN msp.instrument i USING (instrument_id)"
			       " WHERE s.slug = 'essai-63'"
			       "   AND length(i.slug) = 63"), 1);
	buf_free(&out);
}
END_TEST

/*
 * Runs msp-report instrument import --check file in a child and returns
 * its exit status; its largest resident set in *maxrss_kb (wait4's, of
 * that child alone); its output in out.
 */
static int
check_with_rusage(const char *file, long *maxrss_kb, struct buf *out)
{
	const char *builddir = getenv("MSP_BUILDDIR");
	char prog[4096], log[160], chunk[4096];
	struct rusage ru;
	int status;
	size_t n;
	pid_t pid;
	FILE *f;

	snprintf(prog, sizeof(prog), "%s/cli/msp-report",
		 builddir ? builddir : ".");
	snprintf(log, sizeof(log), "%s/rusage.log", tmpdir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (freopen(log, "w", stdout) == NULL ||
		    dup2(fileno(stdout), 2) < 0)
			_exit(127);
		execl(prog, "msp-report", "instrument", "import", "--check",
		      file, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	ck_assert(WIFEXITED(status));
	*maxrss_kb = ru.ru_maxrss;
	ck_assert_ptr_nonnull(f = fopen(log, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	return WEXITSTATUS(status);
}

/*
 * Review finding 4: a 23 KB .xlsx of 3,000,000 empty shared strings
 * took 509 MB and 2.4 s (each part a DOM); one of 400,000 cells, each
 * the same string, the same.  The parts are now streamed and capped:
 * measured 26 MB resident for each under ASan (the old reader passed
 * 1.6 GB under ASan before it was stopped).  The bound leaves room for
 * the sanitizer's own memory.
 */
START_TEST(workbook_bombs_are_refused_in_bounded_memory)
{
	static const struct {
		const char *kind, *n, *why;
	} bombs[] = {
		{ "strings", "3000000", "plus de 100000 chaînes partagées" },
		{ "cells", "400000", "plus de 200000 cellules" },
	};
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *python = getenv("MSP_PYTHON3");
	char file[128], cmd[512];
	struct stat sb;
	long rss;
	size_t i;

	ck_assert_msg(python && *python, "configure found no python3");
	for (i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		snprintf(file, sizeof(file), "%s/%s.xlsx", tmpdir,
			 bombs[i].kind);
		snprintf(cmd, sizeof(cmd), "'%s' '%s' bomb '%s' %s %s",
			 python, testdb_srcpath("tests/xlsform_openpyxl.py"),
			 file, bombs[i].kind, bombs[i].n);
		ck_assert_int_eq(testdb_shell(cmd, &out), 0);
		ck_assert_int_eq(stat(file, &sb), 0);
		ck_assert_int_lt(sb.st_size, 30000);
		buf_reset(&out);
		ck_assert_int_eq(check_with_rusage(file, &rss, &out), 1);
		ck_assert_msg(strstr(buf_str(&out), bombs[i].why) != NULL,
			      "%s", buf_str(&out));
		ck_assert_msg(rss < 64 * 1024, "%s: %ld KB resident",
			      bombs[i].kind, rss);
		fprintf(stderr, "%s bomb: %ld KB resident\n", bombs[i].kind,
			rss);
	}
	buf_free(&out);
}
END_TEST

/* diff names a number as the file typed it, integer or decimal, not
 * the model's "number" (it printed "(number)" for both). */
START_TEST(diff_says_integer_or_decimal)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s/nombres' && printf '%%s\\n'"
		 " 'integer,nb_sites,Nombre de sites,,,,,'"
		 " 'decimal,part_usagers,Part des usagers,,,,,'"
		 " >> '%s/nombres/survey.csv'",
		 testdb_srcpath("tests/data/xlsform/v1"), tmpdir, tmpdir);
	ck_assert_int_eq(testdb_shell(cmd, &out), 0);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s'",
			     testdb_srcpath("tests/data/xlsform/v1")), 0);
	ck_assert_int_eq(cli(db.conn, &out, "instrument import '%s/nombres'",
			     tmpdir), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "essai-vagues@2 "
				     "enregistré (7 questions)"));
	ck_assert_int_eq(cli(db.conn, &out, "instrument diff essai-vagues@1 "
			     "essai-vagues@2"), 0);
	ck_assert_str_eq(buf_str(&out),
		"+ item nb_sites (integer) « Nombre de sites »\n"
		"+ item part_usagers (decimal) « Part des usagers »\n");
	buf_free(&out);
}
END_TEST

static Suite *
xlsform_suite(void)
{
	Suite *s = suite_create("xlsform");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, reference_instruments_round_trip, 0, 2);
	tcase_add_test(tc, occitanie_plus_one_item_is_a_new_version);
	tcase_add_test(tc, openpyxl_reads_the_export);
	tcase_add_test(tc, handmade_workbook_is_read);
	tcase_add_test(tc, every_mistake_is_listed_and_nothing_stored);
	tcase_add_test(tc, problems_beyond_the_cap_are_counted);
	tcase_add_test(tc, long_cells_are_read_whole_or_refused);
	tcase_add_test(tc, form_id_is_a_slug_of_63_at_most);
	tcase_add_test(tc, workbook_bombs_are_refused_in_bounded_memory);
	tcase_add_test(tc, versions_diff_and_immutability);
	tcase_add_test(tc, diff_says_integer_or_decimal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(xlsform_suite());
}
