/*
 * report_data — the study, its variables and its frequency tables: every
 * SQL statement of the report, in one place (see report_int.h).
 *
 * The statements aggregate (GROUP BY) and return frequency tables; no
 * statement returns a respondent's row.  Parameters are always passed
 * separately (db_exec); the only SQL text chosen at run time is one of
 * the fixed variants below.
 *
 * A federation reads no row at all (migration 0037, issue 19): its
 * tables come from the SECURITY DEFINER functions msp.report_* of
 * sql/functions/, which hold the same statements, check its token and
 * count over the responses of the study's region (sql_fed_* below).
 * The owner, analysts and teams run the statements here, under
 * Row-Level Security.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "report_int.h"
#include "tenant.h"
#include "textfreq.h"

/* --- statements ---------------------------------------------------------- */

static const char sql_regions[] =
	"SELECT region_id, slug, name FROM msp.region ORDER BY slug";

/* $1 region_id: its studies, the latest first; synthetic studies
 * (msp-report generate) only when there is nothing else; never a draft
 * (migration 0028: its responses are tests) */
static const char sql_studies[] =
	"SELECT s.study_id, s.slug, s.title_fr, s.year, s.instrument_id,"
	"       i.slug AS instrument_slug, i.title_fr AS instrument_title,"
	"       s.target_size, s.reconstructed, s.synthetic, s.source_note"
	"  FROM msp.study s"
	"  JOIN msp.instrument i ON i.instrument_id = s.instrument_id"
	" WHERE s.region_id = $1::smallint AND s.state <> 'draft'"
	" ORDER BY s.synthetic, s.year DESC, s.study_id DESC";

/* $1 a study's slug: its region and the study it follows (waves;
 * msp.study.follows_study_id, migration 0028), drafts included so that
 * rdata_study() can say why one is refused */
static const char sql_wave[] =
	"SELECT r.slug AS region_slug, f.slug AS follows"
	"  FROM msp.study s"
	"  JOIN msp.region r ON r.region_id = s.region_id"
	"  LEFT JOIN msp.study f ON f.study_id = s.follows_study_id"
	" WHERE s.slug = $1::text";

/* $1 instrument slug: the report variables it has rules for */
static const char sql_variables[] =
	"SELECT v.var_key, v.value_type, v.label_fr, v.note_fr, v.harmonised"
	"  FROM msp.report_variable v"
	" WHERE EXISTS (SELECT 1 FROM msp.report_rule r"
	"                WHERE r.var_key = v.var_key"
	"                  AND r.instrument_slug = $1::text)"
	" ORDER BY v.position, v.var_key";

static const char sql_frame_variables[] =
	"SELECT v.var_key, v.value_type, v.label_fr, v.note_fr, v.harmonised"
	"  FROM msp.report_variable v"
	" WHERE v.var_key LIKE 'frame\\_%'"
	" ORDER BY v.position, v.var_key";

static const char sql_categories[] =
	"SELECT var_key, category, label_fr FROM msp.report_category"
	" ORDER BY var_key, position";

static const char sql_dont_know[] =
	"SELECT code FROM msp.report_dont_know ORDER BY code";

/* $1 instrument slug */
static const char sql_roles[] =
	"SELECT role, var_key FROM msp.report_role"
	" WHERE instrument_slug = $1::text ORDER BY role, position";

/*
 * The frequency tables of a study.  Parameters: $1 study_id, $2 the
 * instrument's slug, $3 the study's year, and from sql_shape: $4 the
 * derived variables mapped on values, $5 the items whose answers are
 * needed response by response, $6 the multiple-choice items; with a
 * split, $7 the variable and $8 whether it is derived.  (Arrays, not
 * CTEs: a scan that reads a CTE cannot use parallel workers.)
 *
 * f: one pass over the study's answers, grouped by item and the raw
 *    value columns (cheaper to hash than the value's text, which is
 *    computed on the grouped rows; an open answer has all three NULL).
 * m: the derived variables whose rules read one single-valued item are
 *    mapped on f's values (a value maps to one category for everyone:
 *    no per-response work).
 * x, d: the other derived variables (rules over several items: the
 *    first matching rule of each response wins) and the respondents of
 *    multiple-choice items need each response's answers, but only to
 *    those items.
 */
/* a response stored while its study was a draft is a test (0028), even
 * if the study was later opened some other way than study open */
#define RESP_OK "r.study_id = $1::integer AND r.status = 'complete'" \
	" AND NOT r.test"
#define ANSWER_VALUE(a) \
	"msp.report_answer_value(" a ".choice_code, " a ".bool_value, " \
	a ".num_value, " a ".text_value)"

/* m, d and their counts, which both the statements over the answers
 * and the one over the running totals use (see below). */
#define MAPPED_CTE \
	"m AS (" \
	" SELECT DISTINCT ON (ru.var_key, f.item_key, f.val, f.grp)" \
	"        ru.var_key, coalesce(ru.category, f.val) AS cat, f.grp, f.n" \
	"   FROM f JOIN msp.report_rule ru" \
	"     ON ru.instrument_slug = $2::text AND ru.item_key = f.item_key" \
	"  WHERE ru.var_key = ANY ($4::text[])" \
	"    AND msp.report_rule_matches(ru.match_code, ru.num_min," \
	"        ru.num_max, ru.years_before_study, f.val, f.num," \
	"        $3::integer)" \
	"  ORDER BY ru.var_key, f.item_key, f.val, f.grp, ru.priority), "

#define DERIVED_CTE \
	"d AS (" \
	" SELECT DISTINCT ON (x.response_id, ru.var_key)" \
	"        ru.var_key, coalesce(ru.category, x.val) AS cat, x.grp" \
	"   FROM x JOIN msp.report_rule ru" \
	"     ON ru.instrument_slug = $2::text AND ru.item_key = x.item_key" \
	"  WHERE ru.var_key <> ALL ($4::text[])" \
	"    AND msp.report_rule_matches(ru.match_code, ru.num_min," \
	"        ru.num_max, ru.years_before_study, x.val, x.num," \
	"        $3::integer)" \
	"  ORDER BY x.response_id, ru.var_key, ru.priority) "

#define DERIVED_COUNTS \
	"SELECT 'i' AS kind, item_key AS var, val, grp, sum(n)::bigint AS n" \
	"  FROM f GROUP BY item_key, val, grp " \
	"UNION ALL SELECT 'd', var_key, cat, grp, sum(n)::bigint" \
	"  FROM m GROUP BY var_key, cat, grp " \
	"UNION ALL SELECT 'd', var_key, cat, grp, count(*)" \
	"  FROM d GROUP BY var_key, cat, grp "

#define COUNTS_SQL(GROUP_CTE, GJOIN, GCOL, TOTALS) \
	"WITH " GROUP_CTE \
	"f AS MATERIALIZED (" \
	" SELECT g.item_key, msp.report_answer_value(g.choice_code," \
	"        g.bool_value, g.num_value, NULL) AS val," \
	"        g.num_value AS num, g.grp, g.n" \
	"   FROM (SELECT a.item_key, a.choice_code, a.bool_value," \
	"                a.num_value, " GCOL " AS grp, count(*) AS n" \
	"           FROM msp.answer a" \
	"           JOIN msp.response r" \
	"             ON r.response_id = a.response_id " GJOIN \
	"          WHERE " RESP_OK \
	"          GROUP BY 1, 2, 3, 4, 5) g), " \
	MAPPED_CTE \
	"x AS MATERIALIZED (" \
	" SELECT a.response_id, a.item_key, " ANSWER_VALUE("a") " AS val," \
	"        a.num_value AS num, " GCOL " AS grp" \
	"   FROM msp.answer a" \
	"   JOIN msp.response r ON r.response_id = a.response_id " GJOIN \
	"  WHERE " RESP_OK " AND a.item_key = ANY ($5::text[])), " \
	DERIVED_CTE \
	DERIVED_COUNTS \
	"UNION ALL SELECT 'a', item_key, NULL, grp, count(*)" \
	"  FROM (SELECT DISTINCT x.response_id, x.item_key, x.grp FROM x" \
	"         WHERE x.item_key = ANY ($6::text[])) mc" \
	" GROUP BY item_key, grp " TOTALS

static const char sql_counts[] = COUNTS_SQL(
	"", "", "NULL::text",
	"UNION ALL SELECT 't', NULL, NULL, NULL, count(*)"
	"  FROM msp.response r WHERE " RESP_OK);

/* The group of each response: the answer to item $7, or the category of
 * derived variable $7, as $8 says. */
static const char sql_counts_by[] = COUNTS_SQL(
	"grp AS MATERIALIZED ("
	" SELECT a.response_id, " ANSWER_VALUE("a") " AS grp"
	"   FROM msp.answer a"
	"   JOIN msp.response r ON r.response_id = a.response_id"
	"  WHERE " RESP_OK " AND NOT $8::boolean AND a.item_key = $7::text"
	" UNION ALL"
	" (SELECT DISTINCT ON (a.response_id) a.response_id,"
	"         coalesce(ru.category, a.num_value::text)"
	"    FROM msp.answer a"
	"    JOIN msp.response r ON r.response_id = a.response_id"
	"    JOIN msp.report_rule ru ON ru.instrument_slug = $2::text"
	"     AND ru.var_key = $7::text AND ru.item_key = a.item_key"
	"   WHERE " RESP_OK " AND $8::boolean"
	"     AND msp.report_rule_matches(ru.match_code, ru.num_min,"
	"         ru.num_max, ru.years_before_study, " ANSWER_VALUE("a") ","
	"         a.num_value, $3::integer)"
	"   ORDER BY a.response_id, ru.priority)), ",
	"JOIN grp g ON g.response_id = a.response_id", "g.grp",
	"UNION ALL SELECT 'g', NULL, NULL, grp, count(*)"
	"  FROM grp GROUP BY grp");

/*
 * The weighting cell of each structure of the active frame (--weights):
 * its categories of the frame variables VARS (a text array parameter),
 * in that order, joined by the unit separator (no category holds one).
 */
#define CELL_SQL(VARS) \
	"SELECT f.structure_id," \
	"       pg_catalog.string_agg(f.category, pg_catalog.chr(31)" \
	"                             ORDER BY k.ord) AS cell" \
	"  FROM msp.report_frame($1::integer) f" \
	"  JOIN pg_catalog.unnest(" VARS "::text[])" \
	"       WITH ORDINALITY AS k (var_key, ord)" \
	"    ON k.var_key = f.var_key" \
	" GROUP BY f.structure_id"

/* The frequency tables split by the weighting cell of each response's
 * structure (group NULL: a structure outside the active frame, which
 * is not weighted); 'g' rows count the responses of each cell. */
static const char sql_counts_cells[] = COUNTS_SQL(
	"grp AS MATERIALIZED ("
	" SELECT r.response_id, c.cell AS grp"
	"   FROM msp.response r"
	"   LEFT JOIN (" CELL_SQL("$7") ") c ON c.structure_id = r.structure_id"
	"  WHERE " RESP_OK "), ",
	"JOIN grp g ON g.response_id = a.response_id", "g.grp",
	"UNION ALL SELECT 'g', NULL, NULL, grp, count(*)"
	"  FROM grp GROUP BY grp");

/* $1 study_id, $2 the frame variables: the active frame's structures
 * per cell, as kind 'p' rows whose value is the cell */
static const char sql_frame_cells[] =
	"SELECT 'p' AS kind, NULL::text AS var, x.cell AS val,"
	"       NULL::text AS grp, count(*) AS n"
	"  FROM (" CELL_SQL("$2") ") x"
	" GROUP BY x.cell";

/*
 * The same tables from the running totals of migration 0014
 * (msp.answer_tally), for those who see the whole study: f sums the
 * value rows, 'a' the respondents of the multiple-choice items; x and d
 * still read the answers, but only those of the items that derived
 * variables over several items need ($5: rule items alone), and not at
 * all when there are none (the one-time filter on cardinality).
 */
static const char sql_counts_tally[] =
	"WITH f AS MATERIALIZED ("
	" SELECT g.item_key, msp.report_answer_value(g.choice_code,"
	"        g.bool_value, g.num_value, NULL) AS val,"
	"        g.num_value AS num, NULL::text AS grp, g.n"
	"   FROM (SELECT t.item_key, t.choice_code, t.bool_value,"
	"                t.num_value, sum(t.n) AS n"
	"           FROM msp.answer_tally t"
	"          WHERE t.study_id = $1::integer AND t.kind = 'v'"
	"          GROUP BY 1, 2, 3, 4 HAVING sum(t.n) <> 0) g), "
	MAPPED_CTE
	"x AS MATERIALIZED ("
	" SELECT a.response_id, a.item_key, " ANSWER_VALUE("a") " AS val,"
	"        a.num_value AS num, NULL::text AS grp"
	"   FROM msp.answer a"
	"   JOIN msp.response r ON r.response_id = a.response_id"
	"  WHERE pg_catalog.cardinality($5::text[]) > 0 AND " RESP_OK
	"    AND a.item_key = ANY ($5::text[])), "
	DERIVED_CTE
	DERIVED_COUNTS
	"UNION ALL SELECT 'a', t.item_key, NULL, NULL, sum(t.n)::bigint"
	"  FROM msp.answer_tally t"
	" WHERE t.study_id = $1::integer AND t.kind = 'r'"
	"   AND t.item_key = ANY ($6::text[])"
	" GROUP BY t.item_key HAVING sum(t.n) <> 0 "
	"UNION ALL SELECT 't', NULL, NULL, NULL, count(*)"
	"  FROM msp.response r WHERE " RESP_OK;

/*
 * A closed study's tables, counted when it closed (migration 0047,
 * msp.study_crosstab: the rows of sql_counts and sql_counts_by per
 * region of the responding structures, summed here).  $1 study_id, $2
 * the split ('' for none), $3 whether it is derived.  The first
 * statement tells "built" from "built and empty"; a study closed before
 * 0047 has none, and is counted as above.
 */
static const char sql_crosstab_built[] =
	"SELECT EXISTS (SELECT 1 FROM msp.study_crosstab_split b"
	"                WHERE b.study_id = $1::integer"
	"                  AND b.split = $2::text"
	"                  AND b.derived = $3::boolean) AS built";
static const char sql_crosstab_counts[] =
	"SELECT c.kind, c.var, c.val, c.grp, sum(c.n)::bigint AS n"
	"  FROM msp.study_crosstab c"
	" WHERE c.study_id = $1::integer AND c.split = $2::text"
	"   AND c.derived = $3::boolean"
	" GROUP BY c.kind, c.var, c.val, c.grp";

/* Folds the study's deltas when they have piled up (0014). */
static const char sql_tally_compact[] =
	"SELECT msp.tally_compact($1::integer)";

/* --- the cache (msp.report_cache, migration 0010) --- */

static const char sql_changes[] = "SELECT msp.data_changes() AS changes";

/* $1 study_id, $2 what, $3 changes: a table as the statements above
 * return it */
static const char sql_cache_counts[] =
	"SELECT kind, var, val, grp, n FROM msp.report_cache"
	" WHERE study_id = $1::integer AND what = $2::text"
	"   AND changes = $3::bigint";

/* One writer per study at a time; the previous entry goes. */
static const char sql_cache_lock[] =
	"SELECT pg_catalog.pg_advisory_xact_lock("
	"pg_catalog.hashtext('msp.report_cache'), $1::integer)";
static const char sql_cache_drop[] =
	"DELETE FROM msp.report_cache"
	" WHERE study_id = $1::integer AND what = $2::text";
static const char sql_cache_put[] =
	"INSERT INTO msp.report_cache (study_id, what, changes, kind, var,"
	"       val, grp, n)"
	"SELECT $1::integer, $2::text, $3::bigint, x.kind, x.var, x.val,"
	"       x.grp, x.n"
	"  FROM pg_catalog.jsonb_to_recordset($4::jsonb)"
	"       AS x (kind text, var text, val text, grp text, n bigint)";

/* $1 study_id: the frame by participation ("t" / "f") and in all */
static const char sql_frame[] =
	"SELECT 'f' AS kind, var_key AS var, category AS val,"
	"       CASE WHEN GROUPING(responded) = 1 THEN NULL"
	"            WHEN responded THEN 't' ELSE 'f' END AS grp,"
	"       count(*) AS n"
	"  FROM msp.report_frame($1::integer)"
	" GROUP BY GROUPING SETS ((var_key, category, responded),"
	"                         (var_key, category))";

/* $1 instrument slug, $2 instrument_id: the derived variables whose
 * rules read one single-valued item (mapped on values: a value maps to
 * one category for everyone), the items the other derived variables
 * read with the multiple-choice items, the former alone, and the
 * multiple-choice items, as array literals */
static const char sql_shape[] =
	"WITH single AS ("
	" SELECT ru.var_key FROM msp.report_rule ru"
	"   JOIN msp.instrument_item it ON it.instrument_id = $2::integer"
	"    AND it.item_key = ru.item_key"
	"  WHERE ru.instrument_slug = $1::text"
	"  GROUP BY ru.var_key"
	" HAVING count(DISTINCT ru.item_key) = 1"
	"    AND bool_and(it.item_type <> 'multiple_choice')) "
	"SELECT (SELECT coalesce(array_agg(var_key), '{}') FROM single)::text"
	"       AS single,"
	"       (SELECT coalesce(array_agg(DISTINCT item_key), '{}') FROM ("
	"         SELECT ru.item_key FROM msp.report_rule ru"
	"          WHERE ru.instrument_slug = $1::text"
	"            AND ru.var_key NOT IN (SELECT var_key FROM single)"
	"         UNION SELECT it.item_key FROM msp.instrument_item it"
	"          WHERE it.instrument_id = $2::integer"
	"            AND it.item_type = 'multiple_choice') x)::text"
	"       AS per_response,"
	"       (SELECT coalesce(array_agg(DISTINCT ru.item_key), '{}')"
	"          FROM msp.report_rule ru"
	"         WHERE ru.instrument_slug = $1::text"
	"           AND ru.var_key NOT IN (SELECT var_key FROM single))::text"
	"       AS rule_items,"
	"       (SELECT coalesce(array_agg(it.item_key), '{}')"
	"          FROM msp.instrument_item it"
	"         WHERE it.instrument_id = $2::integer"
	"           AND it.item_type = 'multiple_choice')::text AS multiple";

/* $1 study_id: the frame's size and how many of it responded */
static const char sql_population[] =
	"SELECT count(*) AS listed,"
	"       count(*) FILTER (WHERE p.active) AS targeted,"
	"       count(*) FILTER (WHERE p.active AND EXISTS ("
	"           SELECT 1 FROM msp.response r"
	"            WHERE r.study_id = p.study_id"
	"              AND r.structure_id = p.structure_id"
	"              AND r.status = 'complete' AND NOT r.test))"
	"         AS responding,"
	/* the structures that responded, whether the frame lists them
	 * or not (a team's report has no frame): one structure may send
	 * several responses, and a rate counts structures */
	"       (SELECT count(DISTINCT r.structure_id) FROM msp.response r"
	"         WHERE r.study_id = $1::integer"
	"           AND r.status = 'complete' AND NOT r.test)"
	"         AS respondents"
	"  FROM msp.population p WHERE p.study_id = $1::integer";

/*
 * $1 study_id, $2 item: the words of the open answers, as written, with
 * how often each is written ('w') and in how many answers ('v').  The
 * database splits them (msp.answer_words, migration 0014: runs of
 * letters and inner hyphens, as the running totals split them), so that
 * a million answers never reach C, and textfreq folds, filters and
 * stems what comes back.  Each answer's words come grouped, which gives
 * "answers that write it" without a sort of every word of every answer.
 */
#define WORDS_SQL(FROM) \
	"SELECT v.kind, NULL::text AS var, words.word AS val," \
	"       NULL::text AS grp, v.n" \
	"  FROM (" FROM ") words" \
	" CROSS JOIN LATERAL (VALUES ('w', words.occurrences)," \
	"       ('v', words.answers)) AS v (kind, n)"

static const char sql_words[] = WORDS_SQL(
	"SELECT w.word, sum(w.n) AS occurrences, count(*) AS answers"
	"  FROM msp.answer a"
	"  JOIN msp.response r ON r.response_id = a.response_id"
	" CROSS JOIN LATERAL msp.answer_words(a.text_value) w"
	" WHERE " RESP_OK " AND a.item_key = $2::text"
	"   AND a.text_value IS NOT NULL"
	" GROUP BY w.word");

/* $1 study_id, $2 item: sql_words from the running totals (0014),
 * whose words msp.answer_words splits the same way. */
static const char sql_words_tally[] = WORDS_SQL(
	"SELECT t.word, sum(t.occurrences) AS occurrences,"
	"       sum(t.answers) AS answers"
	"  FROM msp.word_tally t"
	" WHERE t.study_id = $1::integer AND t.item_key = $2::text"
	" GROUP BY t.word HAVING sum(t.answers) <> 0");

/* --- a federation's statements (migration 0037) --- */

/* $1 study_id, $2 the split (NULL: none), $3 whether it is derived,
 * $4 --recount: sql_counts, sql_counts_tally or sql_counts_by */
static const char sql_fed_counts[] =
	"SELECT kind, var, val, grp, n FROM msp.report_counts($1::integer,"
	" $2::text, $3::boolean, $4::boolean)";

/* $1 study_id, $2 the frame variables: sql_frame_cells */
static const char sql_fed_frame_cells[] =
	"SELECT kind, var, val, grp, n"
	"  FROM msp.report_frame_cells($1::integer, $2::text[])";

/* $1 study_id, $2 the frame variables: sql_counts_cells */
static const char sql_fed_counts_cells[] =
	"SELECT kind, var, val, grp, n"
	"  FROM msp.report_cell_counts($1::integer, $2::text[])";

/* $1 study_id: sql_frame */
static const char sql_fed_frame[] =
	"SELECT kind, var, val, grp, n"
	"  FROM msp.report_frame_counts($1::integer)";

/* $1 study_id: sql_population */
static const char sql_fed_population[] =
	"SELECT listed, targeted, responding, respondents"
	"  FROM msp.report_population($1::integer)";

/* $1 study_id, $2 item, $3 --recount: sql_words without the words
 * fewer answers than the threshold write (they never leave the
 * database) */
static const char sql_fed_words[] =
	"SELECT kind, var, val, grp, n"
	"  FROM msp.report_words($1::integer, $2::text, $3::boolean)";

/* --- helpers ------------------------------------------------------------- */

enum msp_status
rctx_refusal(struct rctx *c, enum msp_status status)
{
	char why[sizeof(c->err->message)];

	snprintf(why, sizeof(why), "%s", db_error_sentence(c->err));
	return msp_error_set(c->err, status, "%s", why);
}

enum msp_status
rctx_check(struct rctx *c)
{
	return rdoc_status(c->doc, c->err);
}

/* A column the statement never leaves NULL ("" if it did). */
static const char *
need(const PGresult *res, int row, const char *col)
{
	const char *v = db_text(res, row, col);

	return v != NULL ? v : "";
}

/* A count or an id column (0 for NULL). */
static unsigned long
num(const PGresult *res, int row, const char *col)
{
	return (unsigned long)db_int(res, row, col);
}

static int
get_true(const PGresult *res, int row, const char *col)
{
	const char *v = db_text(res, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

static const char *
dup(struct rctx *c, const PGresult *res, int row, const char *col)
{
	return rdoc_strdup(c->doc, db_text(res, row, col));
}

/* --- the study ----------------------------------------------------------- */

/* Names of the rows of res in column col, "a, b, c", for messages. */
static void
list_names(const PGresult *res, const char *col, char *out, size_t size)
{
	int i, n = PQntuples(res);
	size_t len = 0;

	out[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		int w = snprintf(out + len, size - len, "%s%s", i ? ", " : "",
				 need(res, i, col));

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

enum msp_status
rdata_study(struct rctx *c, const char *region, const char *study,
	    struct rstudy *st)
{
	struct buf want = BUF_INIT(BUF_MAX_TEXT), name = BUF_INIT(BUF_MAX_TEXT);
	PGresult *res = NULL;
	const char *params[1];
	char names[512];
	int i, n, found = -1;
	enum msp_status rc;

	memset(st, 0, sizeof(*st));
	rc = db_exec(c->conn, "report: regions", sql_regions, 0, NULL,
		     PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		goto out;
	/* "Pays de la Loire", "pays-de-la-loire", "PAYS DE LA LOIRE" and
	 * "Pays de la Loire" with its accents stripped are one region. */
	textfreq_slugify(region, &want);
	rc = buf_status(&want, c->err);
	if (rc != MSP_OK)
		goto out;
	n = PQntuples(res);
	for (i = 0; i < n && found < 0; i++) {
		buf_reset(&name);
		textfreq_slugify(need(res, i, "name"), &name);
		if ((rc = buf_status(&name, c->err)) != MSP_OK)
			goto out;
		if (strcmp(buf_str(&want), need(res, i, "slug")) == 0 ||
		    strcmp(buf_str(&want), buf_str(&name)) == 0)
			found = i;
	}
	if (found < 0) {
		list_names(res, "slug", names, sizeof(names));
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "no region '%s' (regions: %s)", region,
				   names);
		goto out;
	}
	st->region_slug = dup(c, res, found, "slug");
	st->region_name = dup(c, res, found, "name");
	params[0] = db_text(res, found, "region_id");
	{
		PGresult *regions = res;

		res = NULL;
		rc = db_exec(c->conn, "report: studies", sql_studies, 1,
			     params, PGRES_TUPLES_OK, &res, c->err);
		PQclear(regions);
	}
	if (rc != MSP_OK)
		goto out;
	n = PQntuples(res);
	found = -1;
	for (i = 0; i < n && found < 0; i++)
		if (study == NULL || strcmp(study, need(res, i, "slug")) == 0)
			found = i;
	if (found < 0) {
		list_names(res, "slug", names, sizeof(names));
		rc = study == NULL ?
			msp_error_set(c->err, MSP_EINVAL,
				      "region '%s' has no study",
				      st->region_slug) :
			msp_error_set(c->err, MSP_EINVAL,
				      "region '%s' has no study '%s' "
				      "(studies: %s)", st->region_slug, study,
				      names);
		goto out;
	}
	st->study_id = (int)num(res, found, "study_id");
	snprintf(st->id_text, sizeof(st->id_text), "%d", st->study_id);
	st->slug = dup(c, res, found, "slug");
	st->title = dup(c, res, found, "title_fr");
	st->year = (int)num(res, found, "year");
	snprintf(st->year_text, sizeof(st->year_text), "%d", st->year);
	st->instrument_id = (int)num(res, found, "instrument_id");
	snprintf(st->instrument_text, sizeof(st->instrument_text), "%d",
		 st->instrument_id);
	st->instrument_slug = dup(c, res, found, "instrument_slug");
	st->instrument_title = dup(c, res, found, "instrument_title");
	st->target_size = db_text(res, found, "target_size") != NULL ?
		(long)num(res, found, "target_size") : -1;
	st->reconstructed = get_true(res, found, "reconstructed");
	st->synthetic = get_true(res, found, "synthetic");
	st->source_note = dup(c, res, found, "source_note");
	rc = rctx_check(c);
out:
	PQclear(res);
	buf_free(&want);
	buf_free(&name);
	return rc;
}

enum msp_status
rdata_wave(struct rctx *c, const char *slug, const char **region,
	   const char **follows)
{
	PGresult *res = NULL;
	const char *params[1] = { slug };
	enum msp_status rc;

	*region = NULL;
	*follows = NULL;
	rc = db_exec(c->conn, "report: wave", sql_wave, 1, params,
		     PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		*region = dup(c, res, 0, "region_slug");
		if (db_text(res, 0, "follows") != NULL)
			*follows = dup(c, res, 0, "follows");
	}
	PQclear(res);
	return rctx_check(c);
}

/* --- variables ----------------------------------------------------------- */

void
rsetup_clear(struct rsetup *s)
{
	instrument_free(s->ins);
	memset(s, 0, sizeof(*s));
}

const struct rvar *
rsetup_var(const struct rsetup *s, const char *key)
{
	size_t i;

	/* report variables are listed after the items: they win */
	for (i = s->nvars; i > 0; i--)
		if (strcmp(s->vars[i - 1].key, key) == 0)
			return &s->vars[i - 1];
	return NULL;
}

size_t
rsetup_role(const struct rsetup *s, const char *role,
	    const struct rvar **vars, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < s->nroles && n < max; i++) {
		const struct rvar *v;

		if (strcmp(s->roles[i].role, role) != 0)
			continue;
		v = rsetup_var(s, s->roles[i].var_key);
		if (v != NULL)
			vars[n++] = v;
	}
	return n;
}

static int
is_dont_know(const PGresult *dk, const char *code)
{
	int i, n = PQntuples(dk);

	for (i = 0; i < n; i++)
		if (strcmp(PQgetvalue(dk, i, 0), code) == 0)
			return 1;
	return 0;
}

/* Categories of an item: its options, or oui/non for a boolean. */
static void
item_categories(struct rctx *c, struct rvar *v,
		const struct instrument_item *it, const PGresult *dk)
{
	static const char *const yes_no[][2] = {
		{ "oui", "Oui" }, { "non", "Non" },
	};
	size_t i, n;

	n = it->type == ITEM_BOOLEAN ? 2 : it->n_options;
	if (n == 0)
		return;
	v->cats = rdoc_alloc(c->doc, n * sizeof(*v->cats));
	if (v->cats == NULL)
		return;
	for (i = 0; i < n; i++) {
		const char *code = it->type == ITEM_BOOLEAN ? yes_no[i][0] :
				   it->options[i].code;
		const char *label = it->type == ITEM_BOOLEAN ? yes_no[i][1] :
				    it->options[i].label_fr;

		v->cats[i].code = rdoc_strdup(c->doc, code);
		v->cats[i].label = rdoc_strdup(c->doc, label);
		v->cats[i].dont_know = is_dont_know(dk, code);
	}
	v->ncats = n;
}

/* Categories of report variable v from msp.report_category rows. */
static void
variable_categories(struct rctx *c, struct rvar *v, const PGresult *cats,
		    const PGresult *dk)
{
	int i, n = PQntuples(cats);
	size_t k = 0;

	for (i = 0; i < n; i++)
		if (strcmp(need(cats, i, "var_key"), v->key) == 0)
			k++;
	if (k == 0)
		return;
	v->cats = rdoc_alloc(c->doc, k * sizeof(*v->cats));
	if (v->cats == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct rcat *cat;

		if (strcmp(need(cats, i, "var_key"), v->key) != 0)
			continue;
		cat = &v->cats[v->ncats++];
		cat->code = dup(c, cats, i, "category");
		cat->label = dup(c, cats, i, "label_fr");
		cat->dont_know = is_dont_know(dk, cat->code);
	}
}

/* Fills vars[0..n) from the rows of res (sql_variables' columns). */
static void
report_variables(struct rctx *c, struct rvar *vars, const PGresult *res,
		 const PGresult *cats, const PGresult *dk)
{
	int i, n = PQntuples(res);

	for (i = 0; i < n; i++) {
		struct rvar *v = &vars[i];

		v->key = dup(c, res, i, "var_key");
		v->label = dup(c, res, i, "label_fr");
		v->note = dup(c, res, i, "note_fr");
		v->derived = 1;
		v->harmonised = get_true(res, i, "harmonised");
		v->type = strcmp(need(res, i, "value_type"), "number") == 0 ?
			  RV_NUMBER : RV_CATEGORY;
		if (v->type == RV_CATEGORY && v->key != NULL)
			variable_categories(c, v, cats, dk);
	}
}

enum msp_status
rdata_setup(struct rctx *c, const struct rstudy *st, struct rsetup *s)
{
	PGresult *vars = NULL, *cats = NULL, *dk = NULL, *roles = NULL;
	const char *params[1] = { st->instrument_slug };
	enum msp_status rc;
	size_t i, nitems, k;
	int r, nroles;

	memset(s, 0, sizeof(*s));
	s->study = *st;
	rc = instrument_load(c->conn, st->instrument_id, &s->ins, c->err);
	if (rc != MSP_OK)
		goto out;
	if ((rc = db_exec(c->conn, "report: variables", sql_variables, 1,
			  params, PGRES_TUPLES_OK, &vars, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: categories", sql_categories, 0,
			  NULL, PGRES_TUPLES_OK, &cats, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: ne sait pas", sql_dont_know, 0,
			  NULL, PGRES_TUPLES_OK, &dk, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: roles", sql_roles, 1, params,
			  PGRES_TUPLES_OK, &roles, c->err)) != MSP_OK)
		goto out;
	nitems = s->ins->n_items;
	s->nvars = nitems + (size_t)PQntuples(vars);
	s->vars = rdoc_alloc(c->doc, s->nvars * sizeof(*s->vars) + 1);
	if (s->vars == NULL) {
		rc = rctx_check(c);
		goto out;
	}
	for (i = 0; i < nitems; i++) {
		const struct instrument_item *it = &s->ins->items[i];
		struct rvar *v = &s->vars[i];

		v->key = rdoc_strdup(c->doc, it->key);
		v->label = rdoc_strdup(c->doc, it->label_fr);
		v->conditional = it->show_if >= 0;
		switch (it->type) {
		case ITEM_SINGLE_CHOICE:
		case ITEM_BOOLEAN:
			v->type = RV_CATEGORY;
			break;
		case ITEM_MULTIPLE_CHOICE:
			v->type = RV_MULTI;
			break;
		case ITEM_NUMBER:
			v->type = RV_NUMBER;
			/* a count that may be 0 ("MG: 0") also gets the
			 * papers' "at least one" (Tableau 1) */
			v->presence = it->has_min && it->min_value == 0;
			break;
		default:
			v->type = RV_TEXT;
			break;
		}
		item_categories(c, v, it, dk);
	}
	report_variables(c, s->vars + nitems, vars, cats, dk);
	nroles = PQntuples(roles);
	if (nroles > 0) {
		s->roles = rdoc_alloc(c->doc, (size_t)nroles *
				      sizeof(*s->roles));
		if (s->roles == NULL) {
			rc = rctx_check(c);
			goto out;
		}
	}
	for (r = 0, k = 0; r < nroles; r++) {
		s->roles[k].role = dup(c, roles, r, "role");
		s->roles[k].var_key = dup(c, roles, r, "var_key");
		k++;
	}
	s->nroles = k;
	rc = rctx_check(c);
out:
	PQclear(vars);
	PQclear(cats);
	PQclear(dk);
	PQclear(roles);
	if (rc != MSP_OK)
		rsetup_clear(s);
	return rc;
}

enum msp_status
rdata_frame_vars(struct rctx *c, struct rvar **out, size_t *n)
{
	PGresult *vars = NULL, *cats = NULL, *dk = NULL;
	enum msp_status rc;
	struct rvar *v;

	*out = NULL;
	*n = 0;
	if ((rc = db_exec(c->conn, "report: frame variables",
			  sql_frame_variables, 0, NULL, PGRES_TUPLES_OK,
			  &vars, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: categories", sql_categories, 0,
			  NULL, PGRES_TUPLES_OK, &cats, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: ne sait pas", sql_dont_know, 0,
			  NULL, PGRES_TUPLES_OK, &dk, c->err)) != MSP_OK)
		goto out;
	v = rdoc_alloc(c->doc, (size_t)PQntuples(vars) * sizeof(*v) + 1);
	if (v == NULL) {
		rc = rctx_check(c);
		goto out;
	}
	report_variables(c, v, vars, cats, dk);
	*out = v;
	*n = (size_t)PQntuples(vars);
	rc = rctx_check(c);
out:
	PQclear(vars);
	PQclear(cats);
	PQclear(dk);
	return rc;
}

/* --- frequency tables ---------------------------------------------------- */

/* strcmp with NULL first. */
static int
cmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
cmp_count(const void *pa, const void *pb)
{
	const struct rcount *a = pa, *b = pb;
	int d;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((d = cmp_null(a->var, b->var)) != 0)
		return d;
	if ((d = cmp_null(a->grp, b->grp)) != 0)
		return d;
	return cmp_null(a->val, b->val);
}

/* Runs a frequency statement and keeps its rows in the document. */
static enum msp_status
load_counts(struct rctx *c, const char *what, const char *sql, int nparams,
	    const char *const *params, struct rcounts *out)
{
	PGresult *res = NULL;
	enum msp_status rc;
	int i, n;

	memset(out, 0, sizeof(*out));
	rc = db_exec(c->conn, what, sql, nparams, params, PGRES_TUPLES_OK,
		     &res, c->err);
	if (rc != MSP_OK)
		return rc;
	n = PQntuples(res);
	out->rows = rdoc_alloc(c->doc, (size_t)n * sizeof(*out->rows) + 1);
	if (out->rows == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		struct rcount *k = &out->rows[i];

		k->kind = need(res, i, "kind")[0];
		k->var = dup(c, res, i, "var");
		k->val = dup(c, res, i, "val");
		k->grp = dup(c, res, i, "grp");
		k->n = num(res, i, "n");
	}
	out->n = (size_t)n;
	qsort(out->rows, out->n, sizeof(*out->rows), cmp_count);
out:
	PQclear(res);
	return rctx_check(c);
}

/* --- the cache ------------------------------------------------------------ */

enum msp_status
rdata_cache_begin(struct rctx *c)
{
	PGresult *res = NULL;
	enum msp_status rc;

	rc = db_exec(c->conn, "report: data changes", sql_changes, 0, NULL,
		     PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		return rc;
	snprintf(c->changes, sizeof(c->changes), "%s",
		 db_text(res, 0, "changes"));
	PQclear(res);
	return MSP_OK;
}

/* Whether the study's tables may come from the running totals, or a
 * closed study's from its cross-tabulations (0047): for the owner and
 * analysts, unless --recount (a federation's functions decide for
 * themselves: msp.report_whole, msp.study_crosstab). */
static int
use_tally(const struct rctx *c)
{
	return c->tally;
}

/* Adds one row to a cache entry's JSON array; nonzero on failure. */
static int
json_row(json_object *arr, const char *kind, const char *var,
	 const char *val, const char *grp, unsigned long n)
{
	json_object *o = json_object_new_object();
	int bad = 0;

	if (o == NULL)
		return 1;
	bad |= json_object_object_add(o, "kind",
				      json_object_new_string(kind)) != 0;
	bad |= json_object_object_add(o, "var", var != NULL ?
				      json_object_new_string(var) : NULL) != 0;
	bad |= json_object_object_add(o, "val", val != NULL ?
				      json_object_new_string(val) : NULL) != 0;
	bad |= json_object_object_add(o, "grp", grp != NULL ?
				      json_object_new_string(grp) : NULL) != 0;
	bad |= json_object_object_add(o, "n",
				      json_object_new_int64((int64_t)n)) != 0;
	if (bad || json_object_array_add(arr, o) != 0) {
		json_object_put(o);
		return 1;
	}
	return 0;
}

/*
 * Keeps arr (consumed) as the table what of study_id, to store after
 * the report.  A cache is an optimisation: when memory or room runs
 * out, the table is simply not kept.
 */
static void
remember(struct rctx *c, int study_id, const char *what, json_object *arr,
	 int bad)
{
	struct rcache_entry *e;
	const char *text;

	/* a row that says "this table was computed", so that an empty
	 * table is kept as well */
	bad = bad || json_row(arr, "s", NULL, NULL, NULL, 0);
	if (!bad && c->npending < RCACHE_MAX) {
		text = json_object_to_json_string_ext(arr,
						      JSON_C_TO_STRING_PLAIN);
		e = &c->pending[c->npending];
		e->study_id = study_id;
		e->what = rdoc_strdup(c->doc, what);
		e->json = rdoc_strdup(c->doc, text);
		if (text != NULL && e->what != NULL && e->json != NULL)
			c->npending++;
	}
	json_object_put(arr);
}

static void
remember_counts(struct rctx *c, int study_id, const char *what,
		const struct rcounts *k)
{
	json_object *arr = json_object_new_array();
	char kind[2] = { 0, 0 };
	size_t i;
	int bad = 0;

	if (arr == NULL)
		return;
	for (i = 0; i < k->n && !bad; i++) {
		kind[0] = k->rows[i].kind;
		bad = json_row(arr, kind, k->rows[i].var, k->rows[i].val,
			       k->rows[i].grp, k->rows[i].n);
	}
	remember(c, study_id, what, arr, bad);
}

/* Notes that the totals of study_id were read: rdata_cache_store()
 * folds them (the report's own transaction is read only). */
static void
tally_used(struct rctx *c, int study_id)
{
	size_t i;

	for (i = 0; i < c->ntally; i++)
		if (c->tally_studies[i] == study_id)
			return;
	if (c->ntally < RCACHE_MAX)
		c->tally_studies[c->ntally++] = study_id;
}

enum msp_status
rdata_cache_store(struct rctx *c)
{
	const char *params[4];
	enum tenant_kind kind;
	enum msp_status rc;
	char study[16];
	size_t i;

	if (c->npending == 0 && c->ntally == 0)
		return MSP_OK;
	rc = db_exec(c->conn, "report cache: begin", "BEGIN", 0, NULL,
		     PGRES_COMMAND_OK, NULL, c->err);
	/* the reader's identity, as report_build() entered it: the cache
	 * and the folding are written under the token, never as the bare
	 * login */
	if (rc == MSP_OK && c->opt->token != NULL)
		rc = tenant_enter(c->conn, c->opt->token, &kind, c->err);
	else if (rc == MSP_OK && c->opt->session != NULL)
		rc = tenant_enter_session(c->conn, c->opt->session, &kind,
					  c->err);
	for (i = 0; i < c->ntally && rc == MSP_OK; i++) {
		snprintf(study, sizeof(study), "%d", c->tally_studies[i]);
		params[0] = study;
		rc = db_exec(c->conn, "report: fold the totals",
			     sql_tally_compact, 1, params, PGRES_TUPLES_OK,
			     NULL, c->err);
	}
	for (i = 0; i < c->npending && rc == MSP_OK; i++) {
		const struct rcache_entry *e = &c->pending[i];

		snprintf(study, sizeof(study), "%d", e->study_id);
		params[0] = study;
		params[1] = e->what;
		params[2] = c->changes;
		params[3] = e->json;
		if ((rc = db_exec(c->conn, "report cache: lock",
				  sql_cache_lock, 1, params, PGRES_TUPLES_OK,
				  NULL, c->err)) != MSP_OK ||
		    (rc = db_exec(c->conn, "report cache: drop",
				  sql_cache_drop, 2, params, PGRES_COMMAND_OK,
				  NULL, c->err)) != MSP_OK)
			break;
		rc = db_exec(c->conn, "report cache: put", sql_cache_put, 4,
			     params, PGRES_COMMAND_OK, NULL, c->err);
	}
	if (rc == MSP_OK)
		rc = db_exec(c->conn, "report cache: commit", "COMMIT", 0,
			     NULL, PGRES_COMMAND_OK, NULL, c->err);
	if (PQtransactionStatus(c->conn) != PQTRANS_IDLE)
		db_exec(c->conn, "report cache: rollback", "ROLLBACK", 0,
			NULL, PGRES_COMMAND_OK, NULL, NULL);
	c->npending = 0;
	c->ntally = 0;
	return rc;
}

enum msp_status
rdata_counts(struct rctx *c, const struct rsetup *s, const struct rvar *by,
	     struct rcounts *out)
{
	const char *params[8], *what = "counts";
	PGresult *shape = NULL;
	enum msp_status rc;

	if (by != NULL)
		what = rdoc_printf(c->doc, "counts by %s %s", by->key,
				   by->derived ? "derived" : "item");
	if (what == NULL)
		return rctx_check(c);
	if (c->cache) {
		params[0] = s->study.id_text;
		params[1] = what;
		params[2] = c->changes;
		rc = load_counts(c, "report: cached counts", sql_cache_counts,
				 3, params, out);
		if (rc != MSP_OK || out->n > 0)
			return rc;
	}
	if (c->kind == TENANT_FEDERATION) {
		params[0] = s->study.id_text;
		params[1] = by != NULL ? by->key : NULL;
		params[2] = by != NULL && by->derived ? "true" : "false";
		params[3] = c->opt->recount ? "true" : "false";
		return load_counts(c, "report: a federation's counts",
				   sql_fed_counts, 4, params, out);
	}
	if (use_tally(c)) {
		PGresult *res = NULL;
		int built;

		params[0] = s->study.id_text;
		params[1] = by != NULL ? by->key : "";
		params[2] = by != NULL && by->derived ? "true" : "false";
		rc = db_exec(c->conn, "report: cross-tabulations built",
			     sql_crosstab_built, 3, params, PGRES_TUPLES_OK,
			     &res, c->err);
		if (rc != MSP_OK)
			return rc;
		built = get_true(res, 0, "built");
		PQclear(res);
		/* not kept in the report cache: already a table read */
		if (built)
			return load_counts(c, "report: cross-tabulations",
					   sql_crosstab_counts, 3, params,
					   out);
	}
	params[0] = s->study.instrument_slug;
	params[1] = s->study.instrument_text;
	rc = db_exec(c->conn, "report: shape", sql_shape, 2, params,
		     PGRES_TUPLES_OK, &shape, c->err);
	if (rc != MSP_OK)
		return rc;
	params[0] = s->study.id_text;
	params[1] = s->study.instrument_slug;
	params[2] = s->study.year_text;
	params[3] = need(shape, 0, "single");
	params[4] = need(shape, 0, "per_response");
	params[5] = need(shape, 0, "multiple");
	if (by == NULL && use_tally(c)) {
		params[4] = need(shape, 0, "rule_items");
		rc = load_counts(c, "report: counts from the totals",
				 sql_counts_tally, 6, params, out);
		tally_used(c, s->study.study_id);
	} else if (by == NULL) {
		rc = load_counts(c, "report: counts", sql_counts, 6, params,
				 out);
	} else {
		params[6] = by->key;
		params[7] = by->derived ? "true" : "false";
		rc = load_counts(c, "report: counts by group", sql_counts_by,
				 8, params, out);
	}
	PQclear(shape);
	if (rc == MSP_OK && c->cache)
		remember_counts(c, s->study.study_id, what, out);
	return rc;
}

enum msp_status
rdata_counts_cells(struct rctx *c, const struct rsetup *s,
		   const char *vars, struct rcounts *cells,
		   struct rcounts *out)
{
	const char *params[7];
	PGresult *shape = NULL;
	enum msp_status rc;

	params[0] = s->study.id_text;
	params[1] = vars;
	if (c->kind == TENANT_FEDERATION) {
		rc = load_counts(c, "report: a federation's frame cells",
				 sql_fed_frame_cells, 2, params, cells);
		if (rc != MSP_OK)
			return rc;
		return load_counts(c, "report: a federation's counts by cell",
				   sql_fed_counts_cells, 2, params, out);
	}
	rc = load_counts(c, "report: frame cells", sql_frame_cells, 2,
			 params, cells);
	if (rc != MSP_OK)
		return rc;
	params[0] = s->study.instrument_slug;
	params[1] = s->study.instrument_text;
	rc = db_exec(c->conn, "report: shape", sql_shape, 2, params,
		     PGRES_TUPLES_OK, &shape, c->err);
	if (rc != MSP_OK)
		return rc;
	params[0] = s->study.id_text;
	params[1] = s->study.instrument_slug;
	params[2] = s->study.year_text;
	params[3] = need(shape, 0, "single");
	params[4] = need(shape, 0, "per_response");
	params[5] = need(shape, 0, "multiple");
	params[6] = vars;
	rc = load_counts(c, "report: counts by cell", sql_counts_cells, 7,
			 params, out);
	PQclear(shape);
	return rc;
}

enum msp_status
rdata_frame(struct rctx *c, const struct rstudy *st, struct rcounts *out)
{
	const char *params[1] = { st->id_text };

	if (c->kind == TENANT_FEDERATION)
		return load_counts(c, "report: a federation's frame",
				   sql_fed_frame, 1, params, out);
	return load_counts(c, "report: frame", sql_frame, 1, params, out);
}

/* The first row at or after (kind, var, grp, val) in sort order. */
static size_t
lower_bound(const struct rcounts *k, char kind, const char *var,
	    const char *grp, const char *val)
{
	struct rcount key = { kind, var, val, grp, 0 };
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_count(&k->rows[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

unsigned long
rcounts_get(const struct rcounts *k, char kind, const char *var,
	    const char *val, const char *grp)
{
	struct rcount key = { kind, var, val, grp, 0 };
	size_t i = lower_bound(k, kind, var, grp, val);

	if (i < k->n && cmp_count(&k->rows[i], &key) == 0)
		return k->rows[i].n;
	return 0;
}

unsigned long
rcounts_sum(const struct rcounts *k, char kind, const char *var,
	    const char *grp)
{
	size_t i = lower_bound(k, kind, var, grp, NULL);
	unsigned long sum = 0;

	for (; i < k->n; i++) {
		const struct rcount *r = &k->rows[i];

		if (r->kind != kind || cmp_null(r->var, var) != 0 ||
		    cmp_null(r->grp, grp) != 0)
			break;
		if (r->val != NULL)
			sum += r->n;
	}
	return sum;
}

static int
cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const struct rcount *
rcounts_range(const struct rcounts *k, char kind, const char *var,
	      const char *grp, size_t *n)
{
	size_t first = lower_bound(k, kind, var, grp, NULL), i;

	for (i = first; i < k->n && k->rows[i].kind == kind &&
	     cmp_null(k->rows[i].var, var) == 0 &&
	     cmp_null(k->rows[i].grp, grp) == 0; i++)
		;
	*n = i - first;
	return k->rows + first;
}

int
rcounts_values(const struct rcounts *k, char kind, const char *var,
	       void (*fn)(void *arg, const char *val), void *arg)
{
	size_t first = lower_bound(k, kind, var, NULL, NULL), i, n = 0;
	const char **vals;

	for (i = first; i < k->n && k->rows[i].kind == kind &&
	     cmp_null(k->rows[i].var, var) == 0; i++)
		n++;
	if (n == 0)
		return 0;
	vals = malloc(n * sizeof(*vals));
	if (vals == NULL)
		return -1;
	n = 0;
	for (i = first; i < k->n && k->rows[i].kind == kind &&
	     cmp_null(k->rows[i].var, var) == 0; i++)
		if (k->rows[i].val != NULL)
			vals[n++] = k->rows[i].val;
	qsort(vals, n, sizeof(*vals), cmp_str_ptr);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(vals[i], vals[i - 1]) != 0)
			fn(arg, vals[i]);
	free(vals);
	return 0;
}

enum msp_status
rdata_population(struct rctx *c, const struct rstudy *st,
		 unsigned long *listed, unsigned long *targeted,
		 unsigned long *responding, unsigned long *respondents)
{
	const char *params[1] = { st->id_text };
	PGresult *res = NULL;
	enum msp_status rc;

	rc = db_exec(c->conn, "report: population",
		     c->kind == TENANT_FEDERATION ? sql_fed_population :
		     sql_population, 1, params, PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		return rc;
	*listed = num(res, 0, "listed");
	*targeted = num(res, 0, "targeted");
	*responding = num(res, 0, "responding");
	*respondents = num(res, 0, "respondents");
	PQclear(res);
	return MSP_OK;
}

enum msp_status
rdata_words(struct rctx *c, const struct rstudy *st, const char *item,
	    struct rcounts *out)
{
	const char *params[3] = { st->id_text, item, c->changes };
	const char *what = rdoc_printf(c->doc, "words %s", item);
	enum msp_status rc;

	if (what == NULL)
		return rctx_check(c);
	if (c->cache) {
		params[1] = what;
		rc = load_counts(c, "report: cached words", sql_cache_counts,
				 3, params, out);
		if (rc != MSP_OK || out->n > 0)
			return rc;
		params[1] = item;
	}
	if (c->kind == TENANT_FEDERATION) {
		params[2] = c->opt->recount ? "true" : "false";
		rc = load_counts(c, "report: a federation's words",
				 sql_fed_words, 3, params, out);
	} else if (use_tally(c)) {
		rc = load_counts(c, "report: words from the totals",
				 sql_words_tally, 2, params, out);
		tally_used(c, st->study_id);
	} else
		rc = load_counts(c, "report: words", sql_words, 2, params,
				 out);
	if (rc == MSP_OK && c->cache)
		remember_counts(c, st->study_id, what, out);
	return rc;
}
