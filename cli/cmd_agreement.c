/*
 * msp-report agreement — agreement between coders: Cohen's κ,
 * Krippendorff's α per code and overall, and the disagreements to
 * resolve (lib/agreement.c, docs/agreement.md), either from a CSV file
 * of codings (--input, no database) or from the coders' own codings of
 * a study's open answers as migration 0039 stores them (--study, one
 * read under the caller's identity: an analyst token or the owner).
 */
#include "config.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "agreement.h"
#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "db.h"
#include "file.h"
#include "report/format.h"

/* The largest input file: some million codings. */
#define AGREEMENT_MAX_FILE ((size_t)64 << 20)

static const char agreement_usage[] =
"Usage: msp-report agreement --input FILE.csv [--unit-label answer|segment]\n"
"                            [--format text|csv|json] [--disagreements]\n"
"       msp-report agreement --study SLUG\n"
"                            [--item KEY | --unit-label segment]\n"
"                            [--format text|csv|json] [--disagreements]\n"
"Agreement between coders who applied the same codes to the same units:\n"
"Cohen's kappa (two coders) and Krippendorff's alpha (nominal, two or\n"
"more coders, missing data allowed), per code and overall, with the\n"
"list of disagreements to resolve.  With --input no database is used.\n"
"\n"
"  -s, --study SLUG     the coders' own codings (not the resolved ones)\n"
"                       of the study's open answers, read from the\n"
"                       database; the unit is an answer (a response's\n"
"                       answer to an item), named by its answer id as\n"
"                       'msp-report code answers' lists it; a coder coded\n"
"                       an answer when they applied at least one code to\n"
"                       it (whole or a passage).  Coded passages of\n"
"                       interviews are counted and left out (each coder\n"
"                       highlights their own offsets); with\n"
"                       --unit-label segment, the coded passages of\n"
"                       interview transcripts instead, compared by\n"
"                       sentence (the common unit: a coder coded every\n"
"                       sentence of a transcript they coded, and applied\n"
"                       a code to the sentences their passage overlaps).\n"
"                       An analyst token (MSP_TOKEN) or the owner only;\n"
"                       read from MSP_REPORT_DATABASE_URL (it may be a\n"
"                       hot standby; default MSP_DATABASE_URL)\n"
"      --item KEY       with --study: the answers to this item only\n"
"  -i, --input FILE     the codings, CSV (',' ';' or tab) with a header\n"
"                       naming the columns unit, coder, code, applied (in\n"
"                       any order; other columns are ignored); applied is\n"
"                       1 (the coder applied the code to the unit) or 0\n"
"                       (did not); an empty code with applied 0 says the\n"
"                       coder coded the unit and applied nothing there\n"
"  -u, --unit-label U   what a unit is: answer (an open answer, the\n"
"                       default) or segment (a passage of an interview);\n"
"                       the output states it\n"
"      --format FMT     text (default), csv or json\n"
"      --disagreements  with --format csv: the disagreements, as rows\n"
"                       unit, code, coder, applied (the input's columns),\n"
"                       instead of the coefficients\n"
"  -h, --help           show this help and exit\n"
"\n"
"A coder who has no row for a unit did not code it (missing); a coder\n"
"who coded a unit and has no row for a code did not apply that code.\n"
"A unit coded by a single coder is left out of every coefficient (it is\n"
"counted).  Kappa needs exactly two coders.  Overall: alpha over each\n"
"unit's set of codes, the distance being the number of codes two coders\n"
"differ on; kappa pooled (mean observed and mean expected agreement over\n"
"the codes).  A coefficient with no variation to measure is printed\n"
"\"non défini\" with the reason (null in JSON).  docs/agreement.md has\n"
"the formulas.\n"
"\n"
"Example:\n"
"  msp-report agreement --input codings.csv --unit-label segment\n"
"  MSP_TOKEN=... msp-report agreement --study occitanie-2024 --item obstacles\n"
"\n"
"Exit status: 0 on success, 1 if the file cannot be read or is invalid\n"
"(the message says where), the study is unknown, has no own codings or\n"
"the caller may not read them, 2 on a usage error.\n";

/* Where the codings came from, when from the database: said in every
 * format beside the figures. */
struct source {
	const char *study;	/* NULL: a file */
	const char *item;	/* NULL: every item */
	unsigned long segments;	/* own codings of passages, left out */
};

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("agreement", what, arg);
}

/* "la réponse (answer)": the unit for people. */
static const char *
unit_text(enum agreement_unit unit)
{
	return unit == AGREEMENT_UNIT_SEGMENT ?
	       "le segment d'entretien (segment)" : "la réponse (answer)";
}

/*
 * Reads the codings of the CSV text into a.  Fails with MSP_EINVAL and
 * "ligne N : why", MSP_ENOMEM.
 */
static enum msp_status
load_codings(const char *data, size_t len, struct agreement *a,
	     struct msp_error *err)
{
	static const char *const names[4] = { "unit", "coder", "code",
					       "applied" };
	struct csv *csv = NULL;
	size_t col[4], i, j;
	enum msp_status rc;

	rc = csv_parse(data, len, 0, &csv, err);
	if (rc != MSP_OK)
		return rc;
	for (j = 0; j < 4; j++) {
		for (i = 0; i < csv->rows[0].n; i++)
			if (strcmp(csv->rows[0].fields[i], names[j]) == 0)
				break;
		if (i == csv->rows[0].n) {
			rc = msp_error_set(err, MSP_EINVAL, "ligne 1 : pas de "
					   "colonne « %s » (il faut unit, "
					   "coder, code, applied)", names[j]);
			goto out;
		}
		col[j] = i;
	}
	if (csv->n_rows < 2) {
		rc = msp_error_set(err, MSP_EINVAL, "aucun codage après "
				   "l'en-tête");
		goto out;
	}
	for (i = 1; i < csv->n_rows; i++) {
		char *const *f = csv->rows[i].fields;
		const char *applied = f[col[3]], *code = f[col[2]];

		if (strcmp(applied, "0") != 0 && strcmp(applied, "1") != 0) {
			rc = msp_error_set(err, MSP_EINVAL, "ligne %zu : "
					   "applied vaut 0 ou 1, pas « %.40s »",
					   csv->rows[i].line, applied);
			goto out;
		}
		rc = agreement_add(a, f[col[0]], f[col[1]],
				   code[0] == '\0' ? NULL : code,
				   applied[0] == '1', err);
		if (rc != MSP_OK) {
			msp_error_prefix(err, "ligne %zu", csv->rows[i].line);
			goto out;
		}
	}
out:
	csv_free(csv);
	return rc;
}

/* --- the database -------------------------------------------------------- */

/*
 * The coders' own codings of the study's open answers, one row per
 * (answer, coder, code), and two rows of facts: whether the study
 * exists (kind 'study') and how many own codings of interview passages
 * are left out (kind 'segments'; 0 with an item, which no passage
 * belongs to).  One query, under the caller's identity and its RLS
 * policies: an analyst reads every study's codings, nothing is granted
 * for this.  A unit is an answer (a response's answer to an item),
 * named by msp.answer's id; a coder coded it when they applied at least
 * one code there, to the whole answer or to a passage, and a code
 * applied to several passages of one answer is applied to the answer
 * once.  Rows are in coder order (coder 1 of κ is the first in text
 * order), then answer, then code.  Test responses are left out, as
 * msp-report code answers leaves them out.
 */
static const char study_codings_sql[] =
	"WITH s AS (SELECT study_id FROM msp.study WHERE slug = $1),"
	" k AS (SELECT min(a.answer_id) AS answer_id, k.coder, k.code"
	"         FROM msp.answer_code k"
	"         JOIN msp.response r ON r.response_id = k.response_id"
	"         JOIN msp.answer a ON a.response_id = k.response_id"
	"          AND a.item_key = k.item_key"
	"          AND a.text_value IS NOT NULL"
	"        WHERE r.study_id IN (SELECT study_id FROM s)"
	"          AND k.state = 'own' AND NOT r.test"
	"          AND ($2::text IS NULL OR k.item_key = $2)"
	"        GROUP BY k.response_id, k.item_key, k.coder, k.code) "
	"SELECT * FROM ("
	" SELECT 0 AS ord, 'study' AS kind, NULL::bigint AS answer_id,"
	"        NULL::text AS coder, NULL::text AS code,"
	"        (SELECT count(*) FROM s) AS n"
	" UNION ALL"
	" SELECT 1, 'segments', NULL, NULL, NULL,"
	"        CASE WHEN $2::text IS NULL THEN"
	"          (SELECT count(*) FROM msp.segment g"
	"             JOIN msp.interview i ON i.interview_id = g.interview_id"
	"            WHERE i.study_id IN (SELECT study_id FROM s)"
	"              AND g.state = 'own')"
	"        ELSE 0 END"
	" UNION ALL"
	" SELECT 2, 'answer', answer_id, coder, code, NULL FROM k) x "
	"ORDER BY ord, coder, answer_id, code";

/*
 * Reads the own codings of src->study into a and src->segments: 0, or
 * 1 after printing why (refused, unknown study, no codings).
 */
static int
load_study(const struct cli_context *ctx, struct source *src,
	   struct agreement *a)
{
	const char *params[2] = { src->study, src->item };
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i, n, rc = 1, found = 0;
	unsigned long codings = 0;

	if ((conn = cli_connect_reports(ctx)) == NULL)
		return 1;
	if (cli_begin(conn, "agreement", &kind) != 0)
		goto out;
	/* the coders' codings are the analysts' working material: a
	 * team or a federation is refused before anything is read */
	if (cli_require_manager(conn, "agreement", kind) != 0) {
		cli_rollback(conn);
		goto out;
	}
	/* $1 the study's slug, $2 an item key or NULL */
	if (db_exec(conn, "own codings of a study", study_codings_sql, 2,
		    params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_rollback(conn);
		rc = cli_db_refusal("agreement", &err);
		goto out;
	}
	cli_rollback(conn);	/* read only */
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *what = db_text(res, i, "kind");

		if (strcmp(what, "study") == 0) {
			found = strcmp(db_text(res, i, "n"), "0") != 0;
			continue;
		}
		if (strcmp(what, "segments") == 0) {
			src->segments = strtoul(db_text(res, i, "n"), NULL,
						10);
			continue;
		}
		if (agreement_add(a, db_text(res, i, "answer_id"),
				  db_text(res, i, "coder"),
				  db_text(res, i, "code"), 1, &err) != MSP_OK) {
			fprintf(stderr, "msp-report agreement: étude « %s » : "
				"%s\n", src->study, err.message);
			goto out;
		}
		codings++;
	}
	if (!found) {
		fprintf(stderr, "msp-report agreement: étude « %s » inconnue\n",
			src->study);
		goto out;
	}
	if (codings == 0) {
		fprintf(stderr, "msp-report agreement: étude « %s » : aucun "
			"codage propre (own) de réponse ouverte%s%s%s ; rien à "
			"comparer\n", src->study,
			src->item != NULL ? " à l'item « " : "",
			src->item != NULL ? src->item : "",
			src->item != NULL ? " »" : "");
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	PQfinish(conn);
	return rc;
}

/*
 * Interview passages (--study with --unit-label segment): the common
 * units are the sentences of each transcript (agreement_sentences(),
 * docs/agreement.md).  A coder coded every sentence of a transcript in
 * which they coded at least one passage of their own, and applied a
 * code to a sentence when one of their passages with that code overlaps
 * it.  $1 the study's slug.
 */
static const char study_transcripts_sql[] =
	"SELECT i.interview_id, i.participant_no, t.body"
	"  FROM msp.interview i JOIN msp.interview_transcript t"
	"    USING (interview_id)"
	"  JOIN msp.study s ON s.study_id = i.study_id"
	" WHERE s.slug = $1 AND EXISTS (SELECT 1 FROM msp.segment g"
	"        WHERE g.interview_id = i.interview_id AND g.state = 'own'"
	"          AND g.start_pos IS NOT NULL)"
	" ORDER BY i.participant_no";
static const char study_passages_sql[] =
	"SELECT g.interview_id, g.coder, g.code, g.start_pos, g.end_pos"
	"  FROM msp.segment g JOIN msp.study s ON s.study_id = g.study_id"
	" WHERE s.slug = $1 AND g.state = 'own' AND g.start_pos IS NOT NULL"
	" ORDER BY g.coder, g.interview_id, g.start_pos, g.segment_id";

/* One transcript's sentences. */
struct tsent {
	const char *interview_id, *participant;
	size_t *b, n;
};

/* Adds the passages of res (study_passages_sql) over the sentences of
 * ts into a; 0, or 1 after printing why. */
static int
add_passages(const struct source *src, const PGresult *res,
	     const struct tsent *ts, int nts, struct agreement *a)
{
	struct msp_error err;
	const struct tsent *t = NULL;
	char unit[64];
	size_t k;
	int r, i;

	for (r = 0; r < PQntuples(res); r++) {
		const char *iv = db_text(res, r, "interview_id");
		const char *coder = db_text(res, r, "coder");
		long from = db_int(res, r, "start_pos");
		long to = db_int(res, r, "end_pos");
		int first = r == 0 ||
			    strcmp(iv, db_text(res, r - 1, "interview_id")) ||
			    strcmp(coder, db_text(res, r - 1, "coder"));

		if (first) {
			for (t = NULL, i = 0; i < nts; i++)
				if (strcmp(ts[i].interview_id, iv) == 0)
					t = &ts[i];
			/* this coder read the whole transcript */
			for (k = 0; t != NULL && k < t->n; k++) {
				snprintf(unit, sizeof(unit), "P%s:%zu",
					 t->participant, k + 1);
				if (agreement_add(a, unit, coder, NULL, 0,
						  &err) != MSP_OK)
					goto fail;
			}
		}
		for (k = 0; t != NULL && k < t->n; k++) {
			if (!((long)t->b[2 * k] < to &&
			      from < (long)t->b[2 * k + 1]))
				continue;
			snprintf(unit, sizeof(unit), "P%s:%zu", t->participant,
				 k + 1);
			if (agreement_add(a, unit, coder, db_text(res, r,
					  "code"), 1, &err) != MSP_OK)
				goto fail;
		}
	}
	return 0;
fail:
	fprintf(stderr, "msp-report agreement: étude « %s » : %s\n",
		src->study, err.message);
	return 1;
}

/* Reads the own coded passages of src->study into a, by sentence; 0,
 * or 1 after printing why. */
static int
load_study_segments(const struct cli_context *ctx, struct source *src,
		    struct agreement *a)
{
	const char *params[1] = { src->study };
	PGresult *trs = NULL, *pas = NULL;
	struct tsent *ts = NULL;
	enum tenant_kind kind;
	struct msp_error err;
	PGconn *conn;
	int i, n = 0, rc = 1;

	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (cli_begin(conn, "agreement", &kind) != 0)
		goto out;
	if (cli_require_manager(conn, "agreement", kind) != 0) {
		cli_rollback(conn);
		goto out;
	}
	/* $1 the study's slug */
	if (db_exec(conn, "transcripts", study_transcripts_sql, 1, params,
		    PGRES_TUPLES_OK, &trs, &err) != MSP_OK ||
	    db_exec(conn, "own passages", study_passages_sql, 1, params,
		    PGRES_TUPLES_OK, &pas, &err) != MSP_OK) {
		cli_rollback(conn);
		rc = cli_db_refusal("agreement", &err);
		goto out;
	}
	cli_rollback(conn);	/* read only */
	n = PQntuples(trs);
	if (n == 0 || PQntuples(pas) == 0) {
		fprintf(stderr, "msp-report agreement: étude « %s » : aucun "
			"passage d'entretien codé (own) dans une "
			"transcription ; rien à comparer\n", src->study);
		goto out;
	}
	if ((ts = msp_calloc((size_t)n, sizeof(*ts))) == NULL) {
		fputs("msp-report agreement: mémoire épuisée\n", stderr);
		goto out;
	}
	for (i = 0; i < n; i++) {
		ts[i].interview_id = db_text(trs, i, "interview_id");
		ts[i].participant = db_text(trs, i, "participant_no");
		if (agreement_sentences(db_text(trs, i, "body"), &ts[i].b,
					&ts[i].n, &err) != MSP_OK) {
			fprintf(stderr, "msp-report agreement: P%s : %s\n",
				ts[i].participant, err.message);
			goto out;
		}
	}
	rc = add_passages(src, pas, ts, n, a);
out:
	for (i = 0; ts != NULL && i < n; i++)
		msp_free(ts[i].b);
	msp_free(ts);
	PQclear(trs);
	PQclear(pas);
	PQfinish(conn);
	return rc;
}

/* --- text --------------------------------------------------------------- */

static void
text_kappa(struct buf *o, const struct agreement_kappa *k)
{
	buf_puts(o, "  kappa de Cohen    ");
	if (k->why == AGREEMENT_DEFINED)
		buf_printf(o, "%.4f", k->kappa);
	else
		buf_printf(o, "non défini (%s)", agreement_undefined_text(
			   k->why));
	if (k->n > 0)
		buf_printf(o, "\n                    %lu unités codées par les "
			   "deux, accord observé %.4f, attendu %.4f", k->n,
			   k->p_o, k->p_e);
	buf_putc(o, '\n');
}

static void
text_alpha(struct buf *o, const struct agreement_alpha *a)
{
	buf_puts(o, "  alpha (nominal)   ");
	if (a->why == AGREEMENT_DEFINED)
		buf_printf(o, "%.4f", a->alpha);
	else
		buf_printf(o, "non défini (%s)", agreement_undefined_text(
			   a->why));
	if (a->values > 0)
		buf_printf(o, "\n                    %lu unités, %lu valeurs, "
			   "désaccord observé %.4f, attendu %.4f", a->units,
			   a->values, a->d_o, a->d_e);
	buf_putc(o, '\n');
}

/* The coders of d with mark m, "alice, bob", or "personne". */
static void
text_coders(struct buf *o, const struct agreement_result *r,
	    const struct agreement_disagreement *d, enum agreement_mark m)
{
	size_t j, n = 0;

	for (j = 0; j < r->n_coders; j++)
		if (d->who[j] == m)
			buf_printf(o, "%s%s", n++ > 0 ? ", " : "",
				   r->coders[j]);
	if (n == 0)
		buf_puts(o, "personne");
}

static void
render_text(const struct agreement_result *r, const struct source *src,
	    struct buf *o)
{
	size_t i, j;

	buf_puts(o, "Accord entre codeurs\n");
	buf_printf(o, "unité             %s\n", unit_text(r->unit));
	if (src->study != NULL) {
		buf_printf(o, "source            étude « %s », codages propres "
			   "(own) des réponses\n                  ouvertes",
			   src->study);
		if (src->item != NULL)
			buf_printf(o, " à l'item « %s »", src->item);
		buf_puts(o, " ; une unité est une réponse,\n"
			 "                  nommée par son numéro (answer)\n");
	}
	/* with an item, no passage of an interview is concerned */
	if (src->study != NULL && src->item == NULL)
		buf_printf(o, "segments          %lu codages propres de "
			   "passages d'entretien non comptés :\n"
			   "                  chaque codeur surligne ses "
			   "propres bornes, il n'y a pas\n"
			   "                  d'unité commune "
			   "(docs/agreement.md)\n", src->segments);
	buf_printf(o, "codeurs           %zu :", r->n_coders);
	for (j = 0; j < r->n_coders; j++)
		buf_printf(o, "%s %s", j > 0 ? "," : "", r->coders[j]);
	buf_printf(o, "\nunités            %zu, dont %lu codées par au moins "
		   "deux codeurs,\n                  %lu par un seul "
		   "(écartées)\n", r->n_units, r->units_pairable,
		   r->units_single);
	buf_printf(o, "codes             %zu\n", r->n_codes);
	for (i = 0; i < r->n_codes; i++) {
		buf_printf(o, "\ncode « %s » (appliqué %lu fois)\n",
			   r->codes[i].name, r->codes[i].applied);
		if (r->n_coders == 2)
			text_kappa(o, &r->codes[i].kappa);
		text_alpha(o, &r->codes[i].alpha);
	}
	buf_puts(o, "\nensemble des codes\n");
	if (r->n_coders == 2)
		text_kappa(o, &r->kappa);
	else
		buf_printf(o, "  kappa de Cohen    non défini (%s)\n",
			   agreement_undefined_text(r->kappa.why));
	text_alpha(o, &r->alpha);
	buf_printf(o, "\ndésaccords        %zu\n", r->n_disagreements);
	for (i = 0; i < r->n_disagreements; i++) {
		const struct agreement_disagreement *d = &r->disagreements[i];
		int missing = 0;

		buf_printf(o, "  unité « %s », code « %s » : appliqué par ",
			   r->units[d->unit], r->codes[d->code].name);
		text_coders(o, r, d, AGREEMENT_APPLIED);
		buf_puts(o, " ; non appliqué par ");
		text_coders(o, r, d, AGREEMENT_ABSENT);
		for (j = 0; j < r->n_coders; j++)
			missing |= d->who[j] == AGREEMENT_NOT_CODED;
		if (missing) {
			buf_puts(o, " ; non codée par ");
			text_coders(o, r, d, AGREEMENT_NOT_CODED);
		}
		buf_putc(o, '\n');
	}
}

/* --- csv ---------------------------------------------------------------- */

/* A number as R reads it back exactly (%.17g), or an empty field. */
static void
csv_double(struct buf *o, int present, double v)
{
	char s[32];

	buf_putc(o, ',');
	if (!present)
		return;
	snprintf(s, sizeof(s), "%.17g", v);
	csv_write_number(o, s);
}

static void
csv_row(struct buf *o, const struct agreement_result *r, const char *scope,
	const char *code, unsigned long applied,
	const struct agreement_kappa *k, const struct agreement_alpha *a)
{
	const char *kw = agreement_undefined_key(k->why);
	const char *aw = agreement_undefined_key(a->why);

	csv_write_field(o, scope);
	buf_putc(o, ',');
	csv_write_field(o, code);
	buf_printf(o, ",%s,%zu,%lu,%lu", agreement_unit_name(r->unit),
		   r->n_coders, applied, k->n);
	csv_double(o, k->n > 0, k->p_o);
	csv_double(o, k->n > 0, k->p_e);
	csv_double(o, kw == NULL, k->kappa);
	buf_printf(o, ",%s,%lu,%lu", kw == NULL ? "" : kw, a->units,
		   a->values);
	csv_double(o, a->values > 0, a->d_o);
	csv_double(o, a->values > 0, a->d_e);
	csv_double(o, aw == NULL, a->alpha);
	buf_printf(o, ",%s\r\n", aw == NULL ? "" : aw);
}

static void
render_csv(const struct agreement_result *r, int disagreements,
	   struct buf *o)
{
	unsigned long applied = 0;
	size_t i, j;

	if (disagreements) {
		buf_puts(o, "unit,code,coder,applied\r\n");
		for (i = 0; i < r->n_disagreements; i++) {
			const struct agreement_disagreement *d =
				&r->disagreements[i];

			for (j = 0; j < r->n_coders; j++) {
				if (d->who[j] == AGREEMENT_NOT_CODED)
					continue;
				csv_write_field(o, r->units[d->unit]);
				buf_putc(o, ',');
				csv_write_field(o, r->codes[d->code].name);
				buf_putc(o, ',');
				csv_write_field(o, r->coders[j]);
				buf_printf(o, ",%d\r\n",
					   d->who[j] == AGREEMENT_APPLIED);
			}
		}
		return;
	}
	buf_puts(o, "scope,code,unit_kind,coders,applied,kappa_units,p_o,"
		 "p_e,kappa,kappa_undefined,alpha_units,alpha_values,d_o,"
		 "d_e,alpha,alpha_undefined\r\n");
	for (i = 0; i < r->n_codes; i++) {
		csv_row(o, r, "code", r->codes[i].name, r->codes[i].applied,
			&r->codes[i].kappa, &r->codes[i].alpha);
		applied += r->codes[i].applied;
	}
	csv_row(o, r, "overall", NULL, applied, &r->kappa, &r->alpha);
}

/* --- json --------------------------------------------------------------- */

/* v, or null when absent: JSON has no NaN. */
static json_object *
json_double_or_null(int present, double v)
{
	return present ? json_object_new_double(v) : NULL;
}

static json_object *
json_kappa(const struct agreement_kappa *k)
{
	json_object *o = json_object_new_object();
	int bad = o == NULL;

	if (bad)
		return NULL;
	bad |= json_object_object_add(o, "value", json_double_or_null(
		k->why == AGREEMENT_DEFINED, k->kappa)) != 0;
	if (k->why != AGREEMENT_DEFINED)
		bad |= format_json_add(o, "undefined", json_object_new_string(
			agreement_undefined_key(k->why)));
	bad |= format_json_add(o, "units", json_object_new_int64(
		(int64_t)k->n));
	bad |= json_object_object_add(o, "p_o", json_double_or_null(
		k->n > 0, k->p_o)) != 0;
	bad |= json_object_object_add(o, "p_e", json_double_or_null(
		k->n > 0, k->p_e)) != 0;
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *
json_alpha(const struct agreement_alpha *a)
{
	json_object *o = json_object_new_object();
	int bad = o == NULL;

	if (bad)
		return NULL;
	bad |= json_object_object_add(o, "value", json_double_or_null(
		a->why == AGREEMENT_DEFINED, a->alpha)) != 0;
	if (a->why != AGREEMENT_DEFINED)
		bad |= format_json_add(o, "undefined", json_object_new_string(
			agreement_undefined_key(a->why)));
	bad |= format_json_add(o, "units", json_object_new_int64(
		(int64_t)a->units));
	bad |= format_json_add(o, "values", json_object_new_int64(
		(int64_t)a->values));
	bad |= json_object_object_add(o, "d_o", json_double_or_null(
		a->values > 0, a->d_o)) != 0;
	bad |= json_object_object_add(o, "d_e", json_double_or_null(
		a->values > 0, a->d_e)) != 0;
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The coders of d with mark m, as an array; NULL when out of memory. */
static json_object *
json_coders(const struct agreement_result *r,
	    const struct agreement_disagreement *d, enum agreement_mark m)
{
	json_object *v = json_object_new_array();
	size_t j;

	for (j = 0; v != NULL && j < r->n_coders; j++)
		if (d->who[j] == m && json_object_array_add(v,
		    json_object_new_string(r->coders[j])) != 0) {
			json_object_put(v);
			v = NULL;
		}
	return v;
}

static enum msp_status
render_json(const struct agreement_result *r, const struct source *src,
	    struct buf *o, struct msp_error *err)
{
	json_object *root = json_object_new_object(), *v = NULL, *c;
	const char *text;
	size_t i;
	int bad = root == NULL;

	if (!bad) {
		bad |= format_json_add(root, "unit", json_object_new_string(
			agreement_unit_name(r->unit)));
		if (src->study != NULL) {
			bad |= format_json_add(root, "study",
				json_object_new_string(src->study));
			bad |= json_object_object_add(root, "item",
				src->item == NULL ? NULL :
				json_object_new_string(src->item)) != 0;
			bad |= format_json_add(root, "segments_left_out",
				json_object_new_int64((int64_t)
						      src->segments));
		}
		v = json_object_new_array();
		bad |= format_json_add(root, "coders", v);
	}
	for (i = 0; !bad && i < r->n_coders; i++)
		bad |= json_object_array_add(v, json_object_new_string(
			r->coders[i])) != 0;
	if (!bad) {
		v = json_object_new_object();
		bad |= format_json_add(root, "units", v);
	}
	if (!bad) {
		bad |= format_json_add(v, "total", json_object_new_int64(
			(int64_t)r->n_units));
		bad |= format_json_add(v, "pairable", json_object_new_int64(
			(int64_t)r->units_pairable));
		bad |= format_json_add(v, "single_coder",
			json_object_new_int64((int64_t)r->units_single));
		v = json_object_new_array();
		bad |= format_json_add(root, "codes", v);
	}
	for (i = 0; !bad && i < r->n_codes; i++) {
		c = json_object_new_object();
		bad |= c == NULL || json_object_array_add(v, c) != 0;
		if (bad) {
			json_object_put(c);
			break;
		}
		bad |= format_json_add(c, "code", json_object_new_string(
			r->codes[i].name));
		bad |= format_json_add(c, "applied", json_object_new_int64(
			(int64_t)r->codes[i].applied));
		bad |= format_json_add(c, "kappa",
				       json_kappa(&r->codes[i].kappa));
		bad |= format_json_add(c, "alpha",
				       json_alpha(&r->codes[i].alpha));
	}
	if (!bad) {
		v = json_object_new_object();
		bad |= format_json_add(root, "overall", v);
	}
	if (!bad) {
		bad |= format_json_add(v, "kappa", json_kappa(&r->kappa));
		bad |= format_json_add(v, "alpha", json_alpha(&r->alpha));
		v = json_object_new_array();
		bad |= format_json_add(root, "disagreements", v);
	}
	for (i = 0; !bad && i < r->n_disagreements; i++) {
		const struct agreement_disagreement *d = &r->disagreements[i];

		c = json_object_new_object();
		bad |= c == NULL || json_object_array_add(v, c) != 0;
		if (bad) {
			json_object_put(c);
			break;
		}
		bad |= format_json_add(c, "unit", json_object_new_string(
			r->units[d->unit]));
		bad |= format_json_add(c, "code", json_object_new_string(
			r->codes[d->code].name));
		bad |= format_json_add(c, "applied_by",
				       json_coders(r, d, AGREEMENT_APPLIED));
		bad |= format_json_add(c, "not_applied_by",
				       json_coders(r, d, AGREEMENT_ABSENT));
		bad |= format_json_add(c, "not_coded_by",
				       json_coders(r, d, AGREEMENT_NOT_CODED));
	}
	text = bad ? NULL : json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text != NULL) {
		buf_puts(o, text);
		buf_putc(o, '\n');
	}
	json_object_put(root);
	if (text == NULL)
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	return MSP_OK;
}

int
cmd_agreement(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_DISAGREEMENTS, OPT_ITEM };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "study", required_argument, NULL, 's' },
		{ "item", required_argument, NULL, OPT_ITEM },
		{ "unit-label", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "disagreements", no_argument, NULL, OPT_DISAGREEMENTS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL;
	struct source src = { NULL, NULL, 0 };
	int unit = AGREEMENT_UNIT_ANSWER, unit_given = 0, format = FORMAT_TEXT;
	int disagreements = 0, c, rc = 1;
	struct agreement *a = NULL;
	struct agreement_result *r = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	char *data = NULL;
	size_t len;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:s:u:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 's':
			src.study = optarg;
			break;
		case OPT_ITEM:
			src.item = optarg;
			break;
		case 'u':
			unit_given = 1;
			unit = agreement_unit_parse(optarg);
			if (unit < 0)
				return usage_error("--unit-label vaut answer "
						   "ou segment, pas", optarg);
			break;
		case OPT_FORMAT:
			format = format_parse(optarg);
			if (format != FORMAT_TEXT && format != FORMAT_CSV &&
			    format != FORMAT_JSON)
				return usage_error("--format vaut text, csv ou "
						   "json, pas", optarg);
			break;
		case OPT_DISAGREEMENTS:
			disagreements = 1;
			break;
		case 'h':
			fputs(agreement_usage, stdout);
			return 0;
		case ':':
			return usage_error("argument manquant après",
					   argv[optind - 1]);
		default:
			return usage_error("option inconnue",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("argument en trop", argv[optind]);
	if ((input == NULL) == (src.study == NULL))
		return usage_error("il faut --input FICHIER.csv ou --study "
				   "SLUG (l'un des deux)", NULL);
	if (src.study != NULL && !cli_valid_slug(src.study))
		return usage_error("--study : identifiant d'étude invalide",
				   src.study);
	if (src.item != NULL && src.study == NULL)
		return usage_error("--item KEY va avec --study", NULL);
	if (src.item != NULL && (src.item[0] == '\0' ||
				 strlen(src.item) > 63))
		return usage_error("--item : clé d'item invalide (1 à 63 "
				   "caractères)", src.item);
	/* the stored passages are compared by the transcripts'
	 * sentences (docs/agreement.md); an item has no passage */
	if (src.study != NULL && unit == AGREEMENT_UNIT_SEGMENT &&
	    src.item != NULL)
		return usage_error("--item ne va pas avec --unit-label "
				   "segment (un passage d'entretien n'a pas "
				   "d'item)", NULL);
	if (disagreements && format != FORMAT_CSV)
		return usage_error("--disagreements va avec --format csv "
				   "(text et json listent déjà les "
				   "désaccords)", NULL);

	if (src.study != NULL) {
		a = agreement_new(unit_given ? (enum agreement_unit)unit :
				  AGREEMENT_UNIT_ANSWER);
		if (a == NULL) {
			fputs("msp-report agreement: mémoire épuisée\n",
			      stderr);
			goto out;
		}
		if (unit_given && unit == AGREEMENT_UNIT_SEGMENT) {
			if (load_study_segments(ctx, &src, a) != 0)
				goto out;
		} else if (load_study(ctx, &src, a) != 0)
			goto out;
		if (agreement_compute(a, &r, &err) != MSP_OK) {
			fprintf(stderr, "msp-report agreement: étude « %s » : "
				"%s\n", src.study, err.message);
			goto out;
		}
		/* CSV rows have no room for it: said beside them */
		if (format == FORMAT_CSV && src.segments > 0)
			fprintf(stderr, "msp-report agreement: %lu codages "
				"propres de passages d'entretien non comptés "
				"(pas d'unité commune : docs/agreement.md)\n",
				src.segments);
		goto render;
	}
	if (file_read(input, AGREEMENT_MAX_FILE, &data, &len, &err) !=
	    MSP_OK) {
		fprintf(stderr, "msp-report agreement: %s : fichier illisible "
			"(%s)\n", input, err.message);
		goto out;
	}
	a = agreement_new((enum agreement_unit)unit);
	if (a == NULL) {
		fputs("msp-report agreement: mémoire épuisée\n", stderr);
		goto out;
	}
	if (load_codings(data, len, a, &err) != MSP_OK ||
	    agreement_compute(a, &r, &err) != MSP_OK) {
		fprintf(stderr, "msp-report agreement: %s : %s\n", input,
			err.message);
		goto out;
	}
render:
	if (format == FORMAT_TEXT)
		render_text(r, &src, &out);
	else if (format == FORMAT_CSV)
		render_csv(r, disagreements, &out);
	else if (render_json(r, &src, &out, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (buf_status(&out, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (fwrite(buf_str(&out), 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		fputs("msp-report agreement: écriture du résultat "
		      "impossible\n", stderr);
		goto out;
	}
	rc = 0;
out:
	buf_free(&out);
	agreement_result_free(r);
	agreement_free(a);
	free(data);
	return rc;
}
