/*
 * report_has — the freins and leviers coded in each study (interview
 * segments, msp.segment, and coded open answers, msp.answer_code), read
 * through the study's crosswalk onto the HAS 2023 framework: by region,
 * by continuum stage, the study codes that map to no HAS category and
 * the HAS categories nobody mentioned.
 *
 * A "mention" counts people, not excerpts: a participant quoted three
 * times under one code counts once (count(DISTINCT)).  Interview
 * participants and questionnaire teams are counted apart by region;
 * the stage table counts both (the interview's stage, the team's
 * continuum stage as the 'continuum' role of its instrument derives it).
 *
 * Only resolved codings count (migration 0039): a coder's own codings
 * are work in progress until resolved, and two coders' codings of one
 * answer would otherwise both count.  Rows written before 0039, or by
 * SQL and POST /api/v1/interviews, are resolved.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "db.h"
#include "release.h"
#include "report_int.h"

/* $1 study ids ("{1,2}", or NULL for every study) */
static const char sql_has_studies[] =
	"SELECT s.study_id, s.slug, g.slug AS region, g.name AS region_name,"
	"       (SELECT count(*) FROM msp.interview i"
	"         WHERE i.study_id = s.study_id) AS interviews,"
	"       (SELECT count(DISTINCT ac.response_id) FROM msp.answer_code ac"
	"         WHERE ac.study_id = s.study_id"
	"           AND ac.state = 'resolved') AS coded"
	"  FROM msp.study s JOIN msp.region g ON g.region_id = s.region_id"
	" WHERE ($1::integer[] IS NULL OR s.study_id = ANY($1::integer[]))"
	/* a draft's responses are tests (migration 0028) */
	"   AND s.state <> 'draft'"
	" ORDER BY g.slug, s.year, s.study_id";

/* Who mentioned which study code: interview participants, coded
 * questionnaire answers (with the team's stage: msp.response_stage,
 * the one derivation of it). */
#define MENTIONS_CTE \
	"WITH stage AS (" \
	" SELECT c.response_id, msp.response_stage(c.response_id) AS stage" \
	"   FROM (SELECT DISTINCT ac.response_id FROM msp.answer_code ac" \
	"          WHERE ac.study_id = ANY($1::integer[])" \
	"            AND ac.state = 'resolved') c), " \
	"men AS (" \
	" SELECT 'interview'::text AS source, i.study_id, g.code," \
	"        'i' || i.interview_id AS who, i.stage" \
	"   FROM msp.segment g JOIN msp.interview i" \
	"     ON i.interview_id = g.interview_id" \
	"  WHERE i.study_id = ANY($1::integer[])" \
	"    AND g.state = 'resolved'" \
	" UNION ALL" \
	" SELECT 'questionnaire', ac.study_id, ac.code," \
	"        'r' || ac.response_id, st.stage" \
	"   FROM msp.answer_code ac" \
	"   JOIN msp.response r ON r.response_id = ac.response_id" \
	"    AND r.status = 'complete' AND NOT r.test" \
	"   LEFT JOIN stage st ON st.response_id = ac.response_id" \
	"  WHERE ac.study_id = ANY($1::integer[])" \
	"    AND ac.state = 'resolved') "

/* every HAS category, with who mentioned it by region and source */
static const char sql_has_region[] = MENTIONS_CTE
	"SELECT hc.has_code, hc.kind, hc.label_fr, rg.slug AS region,"
	"       m.source, count(DISTINCT m.who) AS n"
	"  FROM msp.has_category hc"
	"  LEFT JOIN (msp.crosswalk x"
	"        JOIN men m ON m.study_id = x.study_id AND m.code = x.code"
	"        JOIN msp.study s ON s.study_id = m.study_id"
	"        JOIN msp.region rg ON rg.region_id = s.region_id)"
	"    ON x.has_code = hc.has_code"
	" GROUP BY hc.has_code, hc.kind, hc.label_fr, rg.slug, m.source"
	" ORDER BY hc.kind, hc.has_code";

/* by stage ('' when the stage is not known) */
static const char sql_has_stage[] = MENTIONS_CTE
	"SELECT x.has_code, coalesce(m.stage, '') AS stage,"
	"       count(DISTINCT m.who) AS n"
	"  FROM msp.crosswalk x"
	"  JOIN men m ON m.study_id = x.study_id AND m.code = x.code"
	" GROUP BY 1, 2";

/* the freins and leviers codes with no HAS category */
static const char sql_has_unmapped[] = MENTIONS_CTE
	"SELECT s.slug AS study, c.code, c.kind, c.label_fr,"
	"       count(DISTINCT m.who) AS n"
	"  FROM msp.study_code c JOIN msp.study s ON s.study_id = c.study_id"
	"  LEFT JOIN men m ON m.study_id = c.study_id AND m.code = c.code"
	" WHERE c.study_id = ANY($1::integer[])"
	"   AND c.kind IN ('frein', 'levier')"
	"   AND NOT EXISTS (SELECT 1 FROM msp.crosswalk x"
	"                    WHERE x.study_id = c.study_id"
	"                      AND x.code = c.code)"
	" GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2";

/* A federation reads none of the rows above (migration 0037): the same
 * statements, kept to each study's region and grouped, through the
 * SECURITY DEFINER functions of sql/functions/msp.report_has_*.sql.
 * $1 as above. */
static const char sql_fed_has_studies[] =
	"SELECT study_id, slug, region, region_name, interviews, coded"
	"  FROM msp.report_has_studies($1::integer[])";
static const char sql_fed_has_region[] =
	"SELECT has_code, kind, label_fr, region, source, n"
	"  FROM msp.report_has_region($1::integer[])";
static const char sql_fed_has_stage[] =
	"SELECT has_code, stage, n FROM msp.report_has_stage($1::integer[])";
static const char sql_fed_has_unmapped[] =
	"SELECT study, code, kind, label_fr, n"
	"  FROM msp.report_has_unmapped($1::integer[])";

/* Per study code with resolved codings: the interview participants who
 * evoke it, as the Occitanie report quotes them (« P1, P11 »), the teams
 * whose coded answer carries it, and the first verbatim (by participant
 * number) of an interview segment. */
static const char sql_has_verbatim[] =
	"WITH seg AS ("
	" SELECT g.study_id, g.code, i.participant_no AS p, g.verbatim_fr,"
	"        g.segment_id"
	"   FROM msp.segment g JOIN msp.interview i USING (interview_id)"
	"  WHERE g.study_id = ANY($1::integer[]) AND g.state = 'resolved'),"
	" ans AS ("
	" SELECT k.study_id, k.code, count(DISTINCT k.response_id) AS n"
	"   FROM msp.answer_code k JOIN msp.response r USING (response_id)"
	"  WHERE k.study_id = ANY($1::integer[]) AND k.state = 'resolved'"
	"    AND r.status = 'complete' AND NOT r.test"
	"  GROUP BY 1, 2) "
	"SELECT s.slug AS study, c.code, c.kind, c.label_fr,"
	"       coalesce((SELECT string_agg('P' || x.p, ', ' ORDER BY x.p)"
	"          FROM (SELECT DISTINCT seg.p FROM seg"
	"                 WHERE seg.study_id = c.study_id"
	"                   AND seg.code = c.code) x), '') AS participants,"
	"       coalesce(ans.n, 0) AS teams,"
	"       coalesce((SELECT '« ' || seg.verbatim_fr || ' » (P' || seg.p"
	"                        || ')' FROM seg"
	"          WHERE seg.study_id = c.study_id AND seg.code = c.code"
	"            AND seg.verbatim_fr IS NOT NULL"
	"          ORDER BY seg.p, seg.segment_id LIMIT 1), '') AS verbatim"
	"  FROM msp.study_code c JOIN msp.study s USING (study_id)"
	"  LEFT JOIN ans ON ans.study_id = c.study_id AND ans.code = c.code"
	" WHERE c.study_id = ANY($1::integer[])"
	"   AND (ans.n IS NOT NULL OR EXISTS (SELECT 1 FROM seg"
	"        WHERE seg.study_id = c.study_id AND seg.code = c.code))"
	" ORDER BY s.slug, c.kind, c.code";

/* Per study: its resolved codings of open answers and how many began as
 * an accepted suggestion (msp-report code suggest; 0046).  $1 as
 * above; the federation's through msp.report_has_codings. */
static const char sql_has_codings[] =
	"SELECT s.slug, count(ac.coding_id) AS codings,"
	"       count(ac.coding_id) FILTER (WHERE ac.suggested) AS suggested"
	"  FROM msp.study s"
	"  LEFT JOIN (msp.answer_code ac"
	"        JOIN msp.response r ON r.response_id = ac.response_id"
	"         AND r.status = 'complete' AND NOT r.test)"
	"    ON ac.study_id = s.study_id AND ac.state = 'resolved'"
	" WHERE s.study_id = ANY($1::integer[])"
	" GROUP BY s.slug, s.year, s.study_id"
	" ORDER BY s.year, s.study_id";
static const char sql_fed_has_codings[] =
	"SELECT slug, codings, suggested"
	"  FROM msp.report_has_codings($1::integer[])";

/* The code × attribute matrix and the co-occurrence (issue 22, items 4
 * and 6): counted by sql/functions/msp.report_has_matrix_counts and
 * _cooc_counts (one copy of the statements, for the owner, analysts and
 * teams as themselves) or, for a federation, by their SECURITY DEFINER
 * entry points kept to each study's region.  $1 study ids, $2 the
 * attribute, $3 the item or NULL. */
static const char sql_has_matrix[] =
	"SELECT code, kind, label_fr, value, n"
	"  FROM msp.report_has_matrix_counts($1::integer[], $2, $3, false)";
static const char sql_fed_has_matrix[] =
	"SELECT code, kind, label_fr, value, n"
	"  FROM msp.report_has_matrix($1::integer[], $2, $3)";
static const char sql_has_cooc[] =
	"SELECT code1, kind1, label1, code2, n"
	"  FROM msp.report_has_cooc_counts($1::integer[], false)";
static const char sql_fed_has_cooc[] =
	"SELECT code1, kind1, label1, code2, n"
	"  FROM msp.report_has_cooccurrence($1::integer[])";

static const char sql_stages[] =
	"SELECT stage, label_fr FROM msp.continuum_stage ORDER BY rank";

/* A count or an id column (0 for NULL). */
static unsigned long
num(const PGresult *res, int row, const char *col)
{
	return (unsigned long)db_int(res, row, col);
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* A count of people: hidden from a federation below the threshold. */
static void
people(struct rctx *c, struct rcell *cell, unsigned long n,
       unsigned long total)
{
	if (total > 0)
		rcell_prop(cell, n, total);
	else
		rcell_count(cell, n);
	if (release_primary(n, c->suppress ? c->threshold : 0))
		rcell_hide(cell, c->threshold);
}

/* A "Freins (HAS)" or "Leviers (HAS)" line before the first category
 * of its kind; -1 when out of memory. */
static int
kind_header(struct rctx *c, struct rtable *t, const char *kind)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (same(t->rows[i].var_key, kind))
			return 0;
	return rtable_row(c->doc, t, kind, same(kind, "frein") ?
			  "Freins (HAS)" : "Leviers (HAS)", NULL, NULL) ==
	       NULL ? -1 : 0;
}

/* The regions of the studies, in order, with their denominators. */
struct hregion {
	const char *slug, *name;
	unsigned long interviews, coded;
};

static enum msp_status
table_by_region(struct rctx *c, const PGresult *studies,
		const PGresult *men)
{
	struct hregion regions[16];
	size_t nreg = 0, j;
	struct rtable *t;
	int i, n = PQntuples(studies), m = PQntuples(men);

	for (i = 0; i < n; i++) {
		const char *slug = db_text(studies, i, "region");

		for (j = 0; j < nreg; j++)
			if (same(regions[j].slug, slug))
				break;
		if (j == nreg) {
			if (nreg == sizeof(regions) / sizeof(regions[0]))
				continue;
			regions[nreg].slug = rdoc_strdup(c->doc, slug);
			regions[nreg].name = rdoc_strdup(c->doc,
				db_text(studies, i, "region_name"));
			regions[nreg].interviews = regions[nreg].coded = 0;
			nreg++;
		}
		regions[j].interviews += num(studies, i, "interviews");
		regions[j].coded += num(studies, i, "coded");
	}
	t = rdoc_table(c->doc, "has_region", "Freins et leviers selon le "
		       "référentiel HAS, par région", 2 * nreg);
	if (t == NULL)
		return rctx_check(c);
	t->chart = 1;
	for (j = 0; j < nreg; j++) {
		rtable_column(c->doc, t, 2 * j, rdoc_printf(c->doc,
			      "%s:interviews", regions[j].slug),
			      rdoc_printf(c->doc, "%s : participants aux "
					  "entretiens (n = %lu)",
					  regions[j].name,
					  regions[j].interviews));
		rtable_column(c->doc, t, 2 * j + 1, rdoc_printf(c->doc,
			      "%s:questionnaire", regions[j].slug),
			      rdoc_printf(c->doc, "%s : équipes, réponses "
					  "codées (n = %lu)",
					  regions[j].name, regions[j].coded));
	}
	t->note = "Personnes distinctes qui évoquent au moins un code de "
		  "l'étude rattaché à la catégorie HAS (table de "
		  "correspondance de l'étude) ; pourcentage des participants "
		  "aux entretiens, ou des équipes dont une réponse ouverte a "
		  "été codée.";
	for (i = 0; i < m; i++) {
		const char *code = db_text(men, i, "has_code");
		struct rrow *row;

		/* one row per HAS category: rows arrive grouped by it */
		if (t->nrows > 0 && same(t->rows[t->nrows - 1].cat_key, code))
			row = &t->rows[t->nrows - 1];
		else {
			const char *kind = db_text(men, i, "kind");

			if (kind_header(c, t, kind) != 0)
				return rctx_check(c);
			row = rtable_row(c->doc, t, kind, same(kind, "frein") ?
					 "Freins (HAS)" : "Leviers (HAS)",
					 code, rdoc_printf(c->doc, "%s %s",
					 code, db_text(men, i, "label_fr")));
			if (row == NULL)
				return rctx_check(c);
			for (j = 0; j < 2 * nreg; j++)
				people(c, &row->cells[j], 0, j % 2 == 0 ?
				       regions[j / 2].interviews :
				       regions[j / 2].coded);
		}
		for (j = 0; j < nreg; j++) {
			int q = same(db_text(men, i, "source"),
				     "questionnaire");

			if (!same(regions[j].slug, db_text(men, i, "region")))
				continue;
			people(c, &row->cells[2 * j + q],
			       num(men, i, "n"),
			       q ? regions[j].coded : regions[j].interviews);
		}
	}
	return rctx_check(c);
}

static enum msp_status
table_by_stage(struct rctx *c, const PGresult *cats, const PGresult *stage,
	       const PGresult *stages)
{
	int nstages = PQntuples(stages), i, k, ncat = PQntuples(cats);
	struct rtable *t;

	t = rdoc_table(c->doc, "has_stage", "Freins et leviers selon le "
		       "référentiel HAS, par stade du continuum",
		       (size_t)nstages + 1);
	if (t == NULL)
		return rctx_check(c);
	for (k = 0; k < nstages; k++)
		rtable_column(c->doc, t, (size_t)k, db_text(stages, k, "stage"),
			      db_text(stages, k, "label_fr"));
	rtable_column(c->doc, t, (size_t)nstages, "unknown",
		      "Stade non connu");
	t->note = "Personnes distinctes (participants aux entretiens : "
		  "stade de l'exemple qu'ils donnent ; équipes : stade "
		  "dérivé de leurs réponses).";
	for (i = 0; i < ncat; i++) {
		const char *code = db_text(cats, i, "has_code");
		struct rrow *row;
		int r, nr = PQntuples(stage);

		if (i > 0 && same(code, db_text(cats, i - 1, "has_code")))
			continue;
		if (kind_header(c, t, db_text(cats, i, "kind")) != 0)
			return rctx_check(c);
		row = rtable_row(c->doc, t, db_text(cats, i, "kind"),
				 same(db_text(cats, i, "kind"), "frein") ?
				 "Freins (HAS)" : "Leviers (HAS)", code,
				 rdoc_printf(c->doc, "%s %s", code,
					     db_text(cats, i, "label_fr")));
		if (row == NULL)
			return rctx_check(c);
		for (k = 0; k <= nstages; k++)
			people(c, &row->cells[k], 0, 0);
		for (r = 0; r < nr; r++) {
			const char *st = db_text(stage, r, "stage");

			if (!same(db_text(stage, r, "has_code"), code))
				continue;
			for (k = 0; k < nstages; k++)
				if (same(st, db_text(stages, k, "stage")))
					break;
			people(c, &row->cells[k],
			       num(stage, r, "n"), 0);
		}
	}
	return rctx_check(c);
}

static enum msp_status
table_gaps(struct rctx *c, const PGresult *cats, const PGresult *unmapped)
{
	struct rtable *t;
	int i, n = PQntuples(unmapped), ncat = PQntuples(cats);
	unsigned none = 0;

	t = rdoc_table(c->doc, "has_unmapped", "Codes des études sans "
		       "catégorie HAS", 2);
	if (t == NULL)
		return rctx_check(c);
	rtable_column(c->doc, t, 0, "study", "Étude");
	rtable_column(c->doc, t, 1, "n", "Personnes qui l'évoquent");
	for (i = 0; i < n; i++) {
		const char *kind = db_text(unmapped, i, "kind");
		struct rrow *row = rtable_row(c->doc, t, kind, kind,
			db_text(unmapped, i, "code"),
			db_text(unmapped, i, "label_fr"));

		if (row == NULL)
			return rctx_check(c);
		rcell_text(c->doc, &row->cells[0],
			   db_text(unmapped, i, "study"));
		people(c, &row->cells[1], num(unmapped, i, "n"), 0);
	}
	t = rdoc_table(c->doc, "has_unmentioned", "Catégories HAS que "
		       "personne n'évoque", 1);
	if (t == NULL)
		return rctx_check(c);
	rtable_column(c->doc, t, 0, "has", "Catégorie");
	for (i = 0; i < ncat; i++) {
		const char *code = db_text(cats, i, "has_code");
		int j, mentioned = 0;
		struct rrow *row;

		if (i > 0 && same(code, db_text(cats, i - 1, "has_code")))
			continue;
		for (j = i; j < ncat &&
			    same(db_text(cats, j, "has_code"), code); j++)
			if (num(cats, j, "n") > 0)
				mentioned = 1;
		if (mentioned)
			continue;
		none++;
		row = rtable_row(c->doc, t, db_text(cats, i, "kind"),
				 db_text(cats, i, "kind"), code,
				 db_text(cats, i, "label_fr"));
		if (row == NULL)
			return rctx_check(c);
		rcell_text(c->doc, &row->cells[0], code);
	}
	if (none == 0)
		t->note = "Aucune : chaque catégorie HAS est évoquée.";
	return rctx_check(c);
}

/* How many resolved codings each study has, and how many began as a
 * suggestion an analyst accepted (issue 22, item 7). */
static enum msp_status
table_codings(struct rctx *c, const PGresult *k)
{
	struct rtable *t;
	int i;

	t = rdoc_table(c->doc, "has_codings", "Codages résolus des réponses "
		       "ouvertes", 2);
	if (t == NULL)
		return rctx_check(c);
	rtable_column(c->doc, t, 0, "codings", "Codages résolus");
	rtable_column(c->doc, t, 1, "suggested", "Dont issus d'une "
		      "suggestion acceptée");
	t->note = "Une suggestion (msp-report code suggest) ne devient un "
		  "codage que si un analyste l'accepte (code apply "
		  "--from-suggestion).";
	for (i = 0; i < PQntuples(k); i++) {
		struct rrow *row = rtable_row(c->doc, t, "study", "Étude",
					      db_text(k, i, "slug"),
					      db_text(k, i, "slug"));

		if (row == NULL)
			return rctx_check(c);
		rcell_count(&row->cells[0], num(k, i, "codings"));
		people(c, &row->cells[1], num(k, i, "suggested"), 0);
	}
	return rctx_check(c);
}

/* What a kind of code is called in a row group. */
static const char *
kind_label(const char *kind)
{
	if (same(kind, "frein"))
		return "Freins";
	if (same(kind, "levier"))
		return "Leviers";
	return "Autres codes";
}

/* The matrix's columns: the attribute's values, the stages in the
 * continuum's order, other values in byte order, "not known" last. */
struct mcol {
	const char *value;
	unsigned long head;
};

static size_t
matrix_columns(struct rctx *c, const PGresult *m, const PGresult *stages,
	       int by_stage, struct mcol *cols, size_t max)
{
	size_t n = 0, j;
	int i, k, unknown = -1;

	for (i = 0; i < PQntuples(m) && n < max; i++) {
		if (!PQgetisnull(m, i, PQfnumber(m, "code")))
			break;		/* head rows come first */
		if (same(db_text(m, i, "value"), "")) {
			unknown = i;
			continue;
		}
		cols[n].value = rdoc_strdup(c->doc, db_text(m, i, "value"));
		cols[n++].head = num(m, i, "n");
	}
	if (by_stage)	/* the continuum's order */
		for (k = PQntuples(stages) - 1; k >= 0; k--)
			for (j = 0; j < n; j++)
				if (same(cols[j].value,
					 db_text(stages, k, "stage"))) {
					struct mcol t = cols[j];

					memmove(&cols[1], &cols[0],
						j * sizeof(cols[0]));
					cols[0] = t;
					break;
				}
	if (unknown >= 0 && n < max) {
		cols[n].value = "";
		cols[n++].head = num(m, unknown, "n");
	}
	return n;
}

/* The label of value of attribute attr: a stage's name, "non connu". */
static const char *
value_label(struct rctx *c, const char *value, const PGresult *stages,
	    int by_stage)
{
	int k;

	if (*value == '\0')
		return "Non connu";
	for (k = 0; by_stage && k < PQntuples(stages); k++)
		if (same(value, db_text(stages, k, "stage")))
			return db_text(stages, k, "label_fr");
	return rdoc_strdup(c->doc, value);
}

/*
 * The code × attribute matrix: people (participants and teams) who
 * evoke each code, by value of the attribute, as a percentage of the
 * column's people who evoke any code.  For a federation, the head
 * counts go through a HEADCOUNT release and the cells through a MULTI
 * release (release.c: primary suppression, then complements, so that
 * no hidden cell comes back from a head count minus the others).
 */
static enum msp_status
table_matrix(struct rctx *c, const PGresult *m, const PGresult *stages)
{
	const char *attr = c->opt->matrix;
	const int by_stage = same(attr, "stage");
	const unsigned thr = c->suppress ? c->threshold : 0;
	struct mcol *cols = NULL;
	struct release_counts k;
	struct release hrel, rel;
	unsigned long *cells = NULL, *head = NULL;
	int *zero = NULL, *secret = NULL;
	const char **codes = NULL;
	size_t nc, nr = 0, i, j;
	enum msp_status rc = MSP_OK;
	struct rtable *t;
	int r, row_hidden, nrows = PQntuples(m);

	memset(&hrel, 0, sizeof(hrel));
	memset(&rel, 0, sizeof(rel));
	/* as many columns as the attribute has values (head rows): no
	 * cap, none printed silently short (it was 64) */
	cols = msp_calloc((size_t)nrows + 1, sizeof(*cols));
	if (cols == NULL)
		return msp_error_set(c->err, MSP_ENOMEM, "matrice");
	nc = matrix_columns(c, m, stages, by_stage, cols, (size_t)nrows + 1);
	t = rdoc_table(c->doc, "has_matrix", rdoc_printf(c->doc, "Codes × "
		       "%s : personnes qui les évoquent", same(attr, "region") ?
		       "région" : by_stage ? "stade du continuum" :
		       same(attr, "profession") ? "profession" :
		       same(attr, "structure_type") ? "type de structure" :
		       rdoc_printf(c->doc, "réponse à la question « %s »",
				   attr + 5)), nc > 0 ? nc : 1);
	if (t == NULL) {
		rc = rctx_check(c);
		goto out;
	}
	t->note = "Personnes distinctes (participants aux entretiens, équipes "
		  "dont une réponse ouverte est codée) ; codages résolus ; "
		  "pourcentage des personnes de la colonne qui évoquent au "
		  "moins un code.  Entretiens : stade, profession et type de "
		  "la structure de l'entretien ; réponse à une question : "
		  "celle de la structure de l'entretien à la même étude.";
	if (nc == 0) {
		rtable_column(c->doc, t, 0, "none", "Aucune personne");
		rc = rctx_check(c);
		goto out;
	}
	/* the codes, in the statement's order (by key) */
	codes = msp_calloc((size_t)nrows + 1, sizeof(*codes));
	cells = msp_calloc(((size_t)nrows + 1) * nc, sizeof(*cells));
	head = msp_calloc(nc, sizeof(*head));
	zero = msp_calloc(nc, sizeof(*zero));
	secret = msp_calloc(nc, sizeof(*secret));
	if (codes == NULL || cells == NULL || head == NULL || zero == NULL ||
	    secret == NULL) {
		rc = msp_error_set(c->err, MSP_ENOMEM, "matrice");
		goto out;
	}
	for (r = 0; r < nrows; r++) {
		const char *code;

		if (PQgetisnull(m, r, PQfnumber(m, "code")))
			continue;
		code = db_text(m, r, "code");
		if (nr == 0 || !same(codes[nr - 1], code))
			codes[nr++] = code;
		for (j = 0; j < nc; j++)
			if (same(cols[j].value, db_text(m, r, "value")))
				cells[(nr - 1) * nc + j] = num(m, r, "n");
	}
	for (j = 0; j < nc; j++)
		head[j] = cols[j].head;
	/* the head counts first: a hidden one stays hidden below */
	memset(&k, 0, sizeof(k));
	k.kind = RELEASE_HEADCOUNT;
	k.nrows = 1;
	k.ncols = nc;
	k.n = head;
	k.head = head;
	k.is_total = zero;
	k.head_public = zero;
	if ((rc = release_make(&k, thr, &hrel, c->err)) != MSP_OK)
		goto out;
	for (j = 0; j < nc; j++) {
		secret[j] = hrel.why[j] != RELEASE_PUBLISHED;
		rtable_column(c->doc, t, j, *cols[j].value ? cols[j].value :
			      "unknown", secret[j] ?
			      rdoc_printf(c->doc, "%s (n masqué)",
					  value_label(c, cols[j].value, stages,
						      by_stage)) :
			      rdoc_printf(c->doc, "%s (n = %lu)",
					  value_label(c, cols[j].value, stages,
						      by_stage), head[j]));
	}
	/* then the cells: each code a "chosen" row of a multiple choice,
	 * and an empty row of missing answers the layout never prints */
	memset(&k, 0, sizeof(k));
	k.kind = RELEASE_MULTI;
	k.nrows = nr + 1;
	k.ncols = nc;
	k.n = cells;
	k.head = head;
	k.is_total = zero;
	k.head_secret = secret;
	if ((rc = release_make(&k, thr, &rel, c->err)) != MSP_OK)
		goto out;
	if (c->opt->release_seen != NULL)
		c->opt->release_seen(c->opt->release_arg, &k, &rel);
	for (i = 0; i < nr; i++) {
		const char *kind = NULL, *label = NULL;
		struct rrow *row;

		for (r = 0; r < nrows && label == NULL; r++)
			if (same(db_text(m, r, "code"), codes[i])) {
				kind = db_text(m, r, "kind");
				label = db_text(m, r, "label_fr");
			}
		row = rtable_row(c->doc, t, kind, kind_label(kind), codes[i],
				 label);
		if (row == NULL)
			break;
		/* a row with a hidden cell is hidden whole: its sum, the
		 * people who evoke the code (each has one value of the
		 * attribute), is printed elsewhere (the --has tables, the
		 * co-occurrence's diagonal), and the release, which decides
		 * this table alone, does not know it (review finding) */
		row_hidden = 0;
		for (j = 0; j < nc; j++)
			row_hidden |= rel.why[i * nc + j] != RELEASE_PUBLISHED;
		for (j = 0; j < nc; j++) {
			struct rcell *cell = &row->cells[j];
			enum release_why why = rel.why[i * nc + j];

			if (rel.denom[j] > 0 &&
			    rel.denom_why[j] == RELEASE_PUBLISHED)
				rcell_prop(cell, rel.n[i * nc + j],
					   rel.denom[j]);
			else
				rcell_count(cell, rel.n[i * nc + j]);
			if (why == RELEASE_PRIMARY)
				rcell_hide(cell, thr);
			else if (why != RELEASE_PUBLISHED || row_hidden)
				rcell_hide(cell, 0);
		}
	}
	rc = rctx_check(c);
out:
	release_clear(&hrel);
	release_clear(&rel);
	msp_free(cols);
	msp_free(codes);
	msp_free(cells);
	msp_free(head);
	msp_free(zero);
	msp_free(secret);
	return rc;
}

/*
 * Code co-occurrence: people who carry two codes within one unit (a
 * team within one open answer, a participant within one passage:
 * msp.report_has_cooc_counts); the diagonal is the people who evoke
 * the code.  No printed figure is a sum of others (a person carries
 * several codes), so a federation's small counts are hidden for
 * themselves (the primary rule) and nothing is derived from the rest.
 */
static enum msp_status
table_cooc(struct rctx *c, const PGresult *p)
{
	const char **codes;	/* every code, however many (no cap) */
	size_t n = 0, i, j;
	struct rtable *t;
	int r, np = PQntuples(p);
	enum msp_status rc;

	codes = msp_calloc((size_t)np + 1, sizeof(*codes));
	if (codes == NULL)
		return msp_error_set(c->err, MSP_ENOMEM, "co-occurrence");
	for (r = 0; r < np; r++) {
		const char *code = db_text(p, r, "code1");

		for (i = 0; i < n && !same(codes[i], code); i++)
			;
		if (i == n)
			codes[n++] = code;
	}
	t = rdoc_table(c->doc, "has_cooccurrence", "Co-occurrence des codes "
		       "(même réponse ouverte, même passage d'entretien)",
		       n > 0 ? n : 1);
	if (t == NULL)
		goto out;
	t->note = "Personnes distinctes qui portent les deux codes dans une "
		  "même unité : une réponse ouverte (équipes), un passage "
		  "d'entretien (passages codés qui se chevauchent) ; la "
		  "diagonale compte les personnes qui évoquent le code ; "
		  "codages résolus.";
	if (n == 0) {
		rtable_column(c->doc, t, 0, "none", "Aucun code");
		goto out;
	}
	for (j = 0; j < n; j++)
		rtable_column(c->doc, t, j, codes[j], codes[j]);
	for (i = 0; i < n; i++) {
		const char *kind = NULL, *label = NULL;
		struct rrow *row;

		for (r = 0; r < np; r++)
			if (same(db_text(p, r, "code1"), codes[i])) {
				kind = db_text(p, r, "kind1");
				label = db_text(p, r, "label1");
				break;
			}
		row = rtable_row(c->doc, t, kind, kind_label(kind), codes[i],
				 rdoc_printf(c->doc, "%s (%s)", label,
					     codes[i]));
		if (row == NULL)
			goto out;
		for (j = 0; j < n; j++)
			people(c, &row->cells[j], 0, 0);
		for (r = 0; r < np; r++) {
			if (!same(db_text(p, r, "code1"), codes[i]))
				continue;
			for (j = 0; j < n; j++)
				if (same(db_text(p, r, "code2"), codes[j]))
					people(c, &row->cells[j],
					       num(p, r, "n"), 0);
		}
	}
out:
	rc = rctx_check(c);
	msp_free(codes);
	return rc;
}

/* The verbatim extract per code: analysts and the owner only (quotes
 * are not aggregates; a federation's report leaves the table out). */
static enum msp_status
table_verbatim(struct rctx *c, const PGresult *v)
{
	struct rtable *t;
	int i, n = PQntuples(v);

	t = rdoc_table(c->doc, "has_verbatim", "Verbatims par code : "
		       "participants aux entretiens et équipes", 4);
	if (t == NULL)
		return rctx_check(c);
	rtable_column(c->doc, t, 0, "study", "Étude");
	rtable_column(c->doc, t, 1, "participants", "Participants");
	rtable_column(c->doc, t, 2, "teams", "Équipes (réponses codées)");
	rtable_column(c->doc, t, 3, "verbatim", "Extrait");
	t->note = "Codages résolus ; participants numérotés comme dans le "
		  "rapport d'Occitanie (P1, P11) ; le premier extrait par "
		  "numéro de participant.";
	for (i = 0; i < n; i++) {
		const char *kind = db_text(v, i, "kind");
		struct rrow *row = rtable_row(c->doc, t, kind, kind,
					      db_text(v, i, "code"),
					      db_text(v, i, "label_fr"));

		if (row == NULL)
			return rctx_check(c);
		rcell_text(c->doc, &row->cells[0], db_text(v, i, "study"));
		rcell_text(c->doc, &row->cells[1],
			   db_text(v, i, "participants"));
		rcell_count(&row->cells[2], num(v, i, "teams"));
		rcell_text(c->doc, &row->cells[3], db_text(v, i, "verbatim"));
	}
	return rctx_check(c);
}

enum msp_status
report_has(struct rctx *c, const struct rstudy *selected, size_t nselected)
{
	PGresult *studies = NULL, *men = NULL, *stage = NULL, *stages = NULL;
	PGresult *unmapped = NULL, *verbatim = NULL, *codings = NULL;
	PGresult *matrix = NULL, *cooc = NULL;
	struct buf ids = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *params[3];
	const int fed = c->kind == TENANT_FEDERATION;
	enum msp_status rc;
	size_t i;
	int r;

	/* the selected studies, or every study */
	if (nselected > 0) {
		buf_putc(&ids, '{');
		for (i = 0; i < nselected; i++)
			buf_printf(&ids, "%s%d", i ? "," : "",
				   selected[i].study_id);
		buf_putc(&ids, '}');
		if ((rc = buf_status(&ids, c->err)) != MSP_OK)
			goto out;
	}
	params[0] = nselected > 0 ? buf_str(&ids) : NULL;
	rc = db_exec(c->conn, "report: HAS studies",
		     fed ? sql_fed_has_studies : sql_has_studies, 1, params,
		     PGRES_TUPLES_OK, &studies, c->err);
	if (rc != MSP_OK)
		goto out;
	buf_reset(&ids);
	buf_putc(&ids, '{');
	for (r = 0; r < PQntuples(studies); r++)
		buf_printf(&ids, "%s%s", r ? "," : "",
			   db_text(studies, r, "study_id"));
	buf_putc(&ids, '}');
	if ((rc = buf_status(&ids, c->err)) != MSP_OK)
		goto out;
	params[0] = buf_str(&ids);
	if ((rc = db_exec(c->conn, "report: HAS by region",
			  fed ? sql_fed_has_region : sql_has_region, 1,
			  params, PGRES_TUPLES_OK, &men, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: HAS by stage",
			  fed ? sql_fed_has_stage : sql_has_stage, 1,
			  params, PGRES_TUPLES_OK, &stage, c->err)) !=
	    MSP_OK ||
	    (rc = db_exec(c->conn, "report: HAS unmapped",
			  fed ? sql_fed_has_unmapped : sql_has_unmapped, 1,
			  params, PGRES_TUPLES_OK, &unmapped, c->err)) !=
	    MSP_OK ||
	    (rc = db_exec(c->conn, "report: stages", sql_stages, 0, NULL,
			  PGRES_TUPLES_OK, &stages, c->err)) != MSP_OK ||
	    (rc = db_exec(c->conn, "report: HAS codings",
			  fed ? sql_fed_has_codings : sql_has_codings, 1,
			  params, PGRES_TUPLES_OK, &codings, c->err)) !=
	    MSP_OK)
		goto out;
	if ((rc = table_by_region(c, studies, men)) != MSP_OK ||
	    (rc = table_by_stage(c, men, stage, stages)) != MSP_OK)
		goto out;
	if ((rc = table_gaps(c, men, unmapped)) != MSP_OK ||
	    (rc = table_codings(c, codings)) != MSP_OK)
		goto out;
	if (c->opt->matrix != NULL) {
		const char *attr = c->opt->matrix;

		/* $2 the attribute, $3 the item of "item:KEY" or NULL */
		params[1] = strncmp(attr, "item:", 5) == 0 ? "item" : attr;
		params[2] = strncmp(attr, "item:", 5) == 0 ? attr + 5 : NULL;
		if ((rc = db_exec(c->conn, "report: HAS matrix",
				  fed ? sql_fed_has_matrix : sql_has_matrix,
				  3, params, PGRES_TUPLES_OK, &matrix,
				  c->err)) != MSP_OK ||
		    (rc = table_matrix(c, matrix, stages)) != MSP_OK)
			goto out;
	}
	if (c->opt->cooccurrence &&
	    ((rc = db_exec(c->conn, "report: HAS co-occurrence",
			   fed ? sql_fed_has_cooc : sql_has_cooc, 1, params,
			   PGRES_TUPLES_OK, &cooc, c->err)) != MSP_OK ||
	     (rc = table_cooc(c, cooc)) != MSP_OK))
		goto out;
	if (c->suppress)
		goto out;
	if ((rc = db_exec(c->conn, "report: HAS verbatim", sql_has_verbatim,
			  1, params, PGRES_TUPLES_OK, &verbatim, c->err)) !=
	    MSP_OK)
		goto out;
	rc = table_verbatim(c, verbatim);
out:
	PQclear(verbatim);
	PQclear(codings);
	PQclear(matrix);
	PQclear(cooc);
	PQclear(studies);
	PQclear(men);
	PQclear(stage);
	PQclear(stages);
	PQclear(unmapped);
	buf_free(&ids);
	return rc;
}
