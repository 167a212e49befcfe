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
 * questionnaire answers (with the team's stage). */
#define MENTIONS_CTE \
	"WITH stage AS (" \
	" SELECT DISTINCT ON (a.response_id) a.response_id," \
	"        ru.category AS stage" \
	"   FROM msp.answer_code ac" \
	"   JOIN msp.answer a ON a.response_id = ac.response_id" \
	"   JOIN msp.study s ON s.study_id = ac.study_id" \
	"   JOIN msp.instrument ins ON ins.instrument_id = s.instrument_id" \
	"   JOIN msp.report_role ro ON ro.instrument_slug = ins.slug" \
	"    AND ro.role = 'continuum'" \
	"   JOIN msp.report_rule ru ON ru.instrument_slug = ins.slug" \
	"    AND ru.var_key = ro.var_key AND ru.item_key = a.item_key" \
	"  WHERE ac.study_id = ANY($1::integer[])" \
	"    AND ac.state = 'resolved'" \
	"    AND msp.report_rule_matches(ru.match_code, ru.num_min," \
	"        ru.num_max, ru.years_before_study," \
	"        msp.report_answer_value(a.choice_code, a.bool_value," \
	"        a.num_value, a.text_value), a.num_value, s.year)" \
	"  ORDER BY a.response_id, ru.priority), " \
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
	PGresult *unmapped = NULL, *verbatim = NULL;
	struct buf ids = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *params[1];
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
			  PGRES_TUPLES_OK, &stages, c->err)) != MSP_OK)
		goto out;
	if ((rc = table_by_region(c, studies, men)) != MSP_OK ||
	    (rc = table_by_stage(c, men, stage, stages)) != MSP_OK)
		goto out;
	if ((rc = table_gaps(c, men, unmapped)) != MSP_OK || c->suppress)
		goto out;
	if ((rc = db_exec(c->conn, "report: HAS verbatim", sql_has_verbatim,
			  1, params, PGRES_TUPLES_OK, &verbatim, c->err)) !=
	    MSP_OK)
		goto out;
	rc = table_verbatim(c, verbatim);
out:
	PQclear(verbatim);
	PQclear(studies);
	PQclear(men);
	PQclear(stage);
	PQclear(stages);
	PQclear(unmapped);
	buf_free(&ids);
	return rc;
}
