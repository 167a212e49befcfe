/*
 * fieldwork — the fieldwork monitor as a report document (fieldwork.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "disclosure_policy.h"
#include "fieldwork.h"
#include "release.h"
#include "report_disclosure.h"

/* The partitions of a group's structures, each a column. */
enum col {
	COL_FRAME,
	COL_INVITED,
	COL_OPENED,
	COL_PARTIAL,
	COL_COMPLETE,
	COL_RATE,
	N_COLS,
};

static const struct {
	const char *key, *label;
} cols[N_COLS] = {
	{ "frame", "population" },
	{ "invited", "invitées" },
	{ "opened", "lien ouvert" },
	{ "partial", "partielles" },
	{ "complete", "complètes" },
	{ "rate", "taux de réponse" },
};

/* A group's counts. */
struct group {
	const char *key, *label;	/* owned by the document */
	unsigned long n[COL_COMPLETE + 1];
};

struct breakdown {
	const char *key, *title, *column;	/* column of the query */
	struct group g[128];
	size_t n;
};

static struct group *
group_of(struct rdoc *doc, struct breakdown *b, const char *key,
	 const char *label)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->g[i].key, key) == 0)
			return &b->g[i];
	if (b->n == sizeof(b->g) / sizeof(b->g[0]))
		return NULL;
	memset(&b->g[b->n], 0, sizeof(b->g[0]));
	b->g[b->n].key = rdoc_strdup(doc, key);
	b->g[b->n].label = rdoc_strdup(doc, label);
	return &b->g[b->n++];
}

/* By key, "inconnu" (no value in the frame) last. */
static int
by_key(const void *a, const void *b)
{
	const char *x = ((const struct group *)a)->key;
	const char *y = ((const struct group *)b)->key;
	int ux = strcmp(x, "inconnu") == 0, uy = strcmp(y, "inconnu") == 0;

	return ux != uy ? ux - uy : strcmp(x, y);
}

/*
 * Hides, in the table of groups g[0..n) and its total tot, the counts
 * of one partition of the frame (cells parts[0..nparts), whose sum is
 * the frame; the rest of the frame is an unprinted part) that could
 * single a team out; marks hidden[group * N_COLS + col].  The last row
 * is the total.
 */
static void
protect(const struct group *g, size_t n, const struct group *tot,
	const enum col *parts, size_t nparts, unsigned threshold,
	int *hidden)
{
	size_t rows = n + 1, ncols = nparts + 2, i, j;
	unsigned long *c = calloc(rows * ncols, sizeof(*c));
	int *s = calloc(rows * ncols, sizeof(*s));

	for (i = 0; i < rows; i++) {
		const struct group *x = i < n ? &g[i] : tot;
		unsigned long rest = x->n[COL_FRAME];

		for (j = 0; j < nparts; j++) {
			if (c != NULL)
				c[i * ncols + j] = x->n[parts[j]];
			rest -= x->n[parts[j]];
		}
		if (c != NULL) {
			c[i * ncols + nparts] = rest;
			c[i * ncols + nparts + 1] = x->n[COL_FRAME];
		}
	}
	if (c == NULL || s == NULL) {
		/* out of memory: hide every count of the partition */
		for (i = 0; i < rows; i++)
			for (j = 0; j < nparts; j++)
				hidden[i * N_COLS + parts[j]] = 1;
		goto out;
	}
	disclosure_protect(c, rows, ncols, threshold, s);
	for (i = 0; i < rows; i++) {
		for (j = 0; j < nparts; j++)
			if (s[i * ncols + j])
				hidden[i * N_COLS + parts[j]] = 1;
		if (s[i * ncols + nparts + 1])
			hidden[i * N_COLS + COL_FRAME] = 1;
	}
out:
	free(c);
	free(s);
}

/* One table of the document from a breakdown (the groups sorted by key)
 * and its total row.  threshold 0: nothing hidden. */
static void
add_table(struct rdoc *doc, struct breakdown *b, const struct group *tot,
	  unsigned threshold)
{
	static const enum col status[] = { COL_PARTIAL, COL_COMPLETE };
	static const enum col invited[] = { COL_INVITED };
	static const enum col opened[] = { COL_OPENED };
	struct rtable *t;
	int *hidden;
	size_t i, j;

	qsort(b->g, b->n, sizeof(b->g[0]), by_key);
	hidden = calloc((b->n + 1) * N_COLS, sizeof(*hidden));
	t = rdoc_table(doc, b->key, b->title, N_COLS);
	if (t == NULL || hidden == NULL) {
		free(hidden);
		doc->failed = 1;
		return;
	}
	for (j = 0; j < N_COLS; j++)
		rtable_column(doc, t, j, cols[j].key, cols[j].label);
	/* HTML: the response rate of each group as a bar (a federation
	 * sees no day-by-day table, its chart) */
	t->chart = b->n > 0;
	t->chart_col = COL_RATE;
	if (threshold > 0) {
		protect(b->g, b->n, tot, status, 2, threshold, hidden);
		protect(b->g, b->n, tot, invited, 1, threshold, hidden);
		protect(b->g, b->n, tot, opened, 1, threshold, hidden);
	}
	for (i = 0; i <= b->n; i++) {
		const struct group *x = i < b->n ? &b->g[i] : tot;
		struct rrow *r = rtable_row(doc, t, b->key, b->title,
					    i < b->n ? x->key : "total",
					    i < b->n ? x->label : "Ensemble");

		if (r == NULL)
			break;
		for (j = 0; j <= COL_COMPLETE; j++) {
			rcell_count(&r->cells[j], x->n[j]);
			/* a hidden count from 1 to t - 1 is a primary
			 * one (every such count is hidden), any other
			 * protects one */
			if (hidden[i * N_COLS + j])
				rcell_hide(&r->cells[j],
					   release_primary(x->n[j],
							   threshold) ?
					   threshold : 0);
		}
		rcell_prop(&r->cells[COL_RATE], x->n[COL_COMPLETE],
			   x->n[COL_FRAME]);
		r->cells[COL_RATE].suppressed =
			hidden[i * N_COLS + COL_COMPLETE] ||
			hidden[i * N_COLS + COL_FRAME];
	}
	free(hidden);
}

/* The frame, one row per structure, as the breakdowns need it. */
static const char frame_sql[] =
	"SELECT coalesce(st.departement, '') AS departement,"
	"       coalesce(st.structure_type::text, '') AS structure_type,"
	"       coalesce(st.federation_member::text, '') AS federation_member,"
	"       EXISTS (SELECT 1 FROM msp.contact c"
	"                WHERE c.study_id = p.study_id"
	"                  AND c.structure_id = p.structure_id"
	"                  AND c.kind = 'invitation') AS invited,"
	"       p.invitation_opened_at IS NOT NULL AS opened,"
	"       CASE WHEN EXISTS (SELECT 1 FROM msp.response r"
	"                 WHERE r.study_id = p.study_id"
	"                   AND r.structure_id = p.structure_id"
	"                   AND r.status = 'complete') THEN 'complete'"
	"            WHEN EXISTS (SELECT 1 FROM msp.response r"
	"                 WHERE r.study_id = p.study_id"
	"                   AND r.structure_id = p.structure_id)"
	"            THEN 'partial' ELSE '' END AS status"
	"  FROM msp.population p"
	"  JOIN msp.structure st USING (structure_id)"
	" WHERE p.study_id = $1::integer";

/* The same for a federation, which reads no response (migration 0037):
 * through a SECURITY DEFINER function that gives the status alone, for
 * its own region's studies (another region's: « hors de votre
 * périmètre », 42501). */
static const char fed_frame_sql[] =
	"SELECT departement, structure_type, federation_member, invited,"
	"       opened, status FROM msp.fieldwork_frame($1::integer)";

/*
 * Day by day from the opening (opens_on, else the first contact or
 * response) to today or the closing: invitations and reminders logged
 * that day, frame structures whose complete response was sent that day
 * (its last sending), and the cumulated rate.
 */
static const char days_sql[] =
	"WITH f AS (SELECT p.structure_id FROM msp.population p"
	"            WHERE p.study_id = $1::integer),"
	" done AS (SELECT (max(r.submitted_at) AT TIME ZONE 'Europe/Paris')"
	"                 ::date AS d"
	"            FROM msp.response r JOIN f USING (structure_id)"
	"           WHERE r.study_id = $1::integer AND r.status = 'complete'"
	"           GROUP BY r.structure_id),"
	" span AS (SELECT coalesce(s.opens_on, least("
	"                   (SELECT min(contacted_on) FROM msp.contact c"
	"                     WHERE c.study_id = s.study_id),"
	"                   (SELECT min(d) FROM done))) AS first,"
	"                 least(msp.study_today(), s.closes_on) AS last"
	"            FROM msp.study s WHERE s.study_id = $1::integer)"
	"SELECT g.d::date::text AS day,"
	"       (SELECT count(*) FROM msp.contact c WHERE c.study_id ="
	"         $1::integer AND c.kind = 'invitation' AND c.contacted_on"
	"         = g.d) AS invitations,"
	"       (SELECT count(*) FROM msp.contact c WHERE c.study_id ="
	"         $1::integer AND c.kind = 'reminder' AND c.contacted_on"
	"         = g.d) AS reminders,"
	"       (SELECT count(*) FROM done WHERE done.d = g.d) AS completed,"
	"       (SELECT count(*) FROM done WHERE done.d <= g.d) AS cumulated,"
	"       (SELECT count(*) FROM f) AS frame"
	"  FROM span, generate_series(span.first, span.last,"
	"                             interval '1 day') AS g(d)"
	" WHERE span.first IS NOT NULL"
	" ORDER BY g.d";

static enum msp_status
add_days(PGconn *conn, struct rdoc *doc, const char *study_id,
	 struct msp_error *err)
{
	static const char *const keys[] = { "invitations", "reminders",
					    "completed", "rate" };
	static const char *const labels[] = { "invitations", "rappels",
					      "complètes ce jour",
					      "taux cumulé" };
	const char *params[1] = { study_id };
	PGresult *res = NULL;
	struct rtable *t;
	enum msp_status rc;
	size_t j;
	int i;

	rc = db_exec(conn, "fieldwork: days", days_sql, 1, params,
		     PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		goto out;
	/* the document's arena failing is reported once, at the end */
	t = rdoc_table(doc, "by_day", "Jour par jour depuis l'ouverture", 4);
	if (t == NULL)
		goto out;
	for (j = 0; j < 4; j++)
		rtable_column(doc, t, j, keys[j], labels[j]);
	t->chart = 1;
	t->chart_col = 3;
	for (i = 0; i < PQntuples(res); i++) {
		const char *day = db_text(res, i, "day");
		struct rrow *r = rtable_row(doc, t, "day", "jour", day, day);

		if (r == NULL)
			break;
		rcell_count(&r->cells[0],
			    (unsigned long)db_int(res, i, "invitations"));
		rcell_count(&r->cells[1],
			    (unsigned long)db_int(res, i, "reminders"));
		rcell_count(&r->cells[2],
			    (unsigned long)db_int(res, i, "completed"));
		rcell_prop(&r->cells[3],
			   (unsigned long)db_int(res, i, "cumulated"),
			   (unsigned long)db_int(res, i, "frame"));
	}
out:
	PQclear(res);
	return rc;
}

static const char *
label_of(const char *column, const char *value)
{
	if (*value == '\0')
		return "inconnu";
	if (strcmp(column, "federation_member") == 0)
		return strcmp(value, "oui") == 0 ? "adhérente" :
		       strcmp(value, "non") == 0 ? "non adhérente" :
		       "ne sait pas";
	return value;
}

/* Fills doc with the monitor of study (fieldwork_build's failures). */
static enum msp_status
build(PGconn *conn, struct rdoc *doc, const char *study,
      enum tenant_kind kind, struct msp_error *err)
{
	struct breakdown *b = NULL;
	struct group tot = { .key = "total" };
	const char *params[1] = { study };
	char study_id[16];
	PGresult *res = NULL;
	unsigned threshold = 0;
	enum msp_status rc;
	size_t k;
	int i;

	if (kind == TENANT_TEAM)
		return msp_error_set(err, MSP_EACCESS, "refusé : un jeton "
				     "« team » ne lit pas le suivi d'une "
				     "étude");
	/* read whoever asks, so that a refused MSP_DISCLOSURE_THRESHOLD
	 * is refused for everyone; only a federation's figures use it */
	rc = disclosure_policy_threshold(conn, &threshold, err);
	if (rc != MSP_OK)
		goto out;
	if (kind != TENANT_FEDERATION)
		threshold = 0;
	rc = db_exec(conn, "fieldwork: study",
		    /* for people, in French, as 'study list' says them */
		    "SELECT study_id, title_fr,"
		    "       CASE state WHEN 'draft' THEN 'brouillon'"
		    "                  WHEN 'open' THEN 'ouverte'"
		    "                  ELSE 'close' END AS state,"
		    "       coalesce(opens_on::text, 'non fixée') AS opens_on,"
		    "       coalesce(closes_on::text, 'non fixée')"
		    "         AS closes_on"
		    "  FROM msp.study WHERE slug = $1",
		    1, params, PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		goto out;
	if (PQntuples(res) == 0) {
		rc = msp_error_set(err, MSP_EINVAL, "aucune étude « %s »",
				   study);
		goto out;
	}
	snprintf(study_id, sizeof(study_id), "%s",
		 db_text(res, 0, "study_id"));
	doc->title = rdoc_printf(doc, "Suivi du terrain : %s",
				 db_text(res, 0, "title_fr"));
	rdoc_meta(doc, "study", "étude", study);
	rdoc_meta(doc, "state", "état", db_text(res, 0, "state"));
	rdoc_meta(doc, "opens_on", "ouverture", db_text(res, 0, "opens_on"));
	rdoc_meta(doc, "closes_on", "clôture", db_text(res, 0, "closes_on"));
	if (threshold > 0)
		rdoc_meta(doc, "disclosure", "seuil de confidentialité",
			  rdoc_printf(doc, "%u", threshold));
	PQclear(res);
	res = NULL;

	params[0] = study_id;
	rc = db_exec(conn, "fieldwork: frame", kind == TENANT_FEDERATION ?
		     fed_frame_sql : frame_sql, 1, params, PGRES_TUPLES_OK,
		     &res, err);
	if (rc != MSP_OK) {
		if (kind == TENANT_FEDERATION &&
		    db_classify(err->sqlstate) == DB_DENIED)
			rc = msp_error_set(err, MSP_EACCESS, "refusé : le "
				"suivi du terrain de « %s » est hors de "
				"votre périmètre (il appartient à la "
				"fédération de sa région) ; ses agrégats : "
				"msp-report --region", study);
		goto out;
	}
	if ((b = calloc(3, sizeof(*b))) == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "fieldwork: out of "
				   "memory");
		goto out;
	}
	b[0] = (struct breakdown){ .key = "departement",
		.title = "Par département", .column = "departement" };
	b[1] = (struct breakdown){ .key = "structure_type",
		.title = "Par type de structure", .column = "structure_type" };
	b[2] = (struct breakdown){ .key = "federation_member",
		.title = "Par adhésion à la fédération",
		.column = "federation_member" };
	for (i = 0; i < PQntuples(res); i++) {
		const char *status = db_text(res, i, "status");
		struct group *gs[4] = { &tot, NULL, NULL, NULL };

		for (k = 0; k < 3; k++) {
			const char *v = db_text(res, i, b[k].column);

			if ((gs[k + 1] = group_of(doc, &b[k], *v ? v :
						  "inconnu",
						  label_of(b[k].column, v)))
			    == NULL) {
				rc = msp_error_set(err, MSP_EINVAL, "trop de "
						   "groupes (%zu au plus "
						   "par tableau)",
						   sizeof(b[k].g) /
						   sizeof(b[k].g[0]));
				goto out;
			}
		}
		for (k = 0; k < 4; k++) {
			gs[k]->n[COL_FRAME]++;
			gs[k]->n[COL_INVITED] +=
				strcmp(db_text(res, i, "invited"), "t") == 0;
			gs[k]->n[COL_OPENED] +=
				strcmp(db_text(res, i, "opened"), "t") == 0;
			gs[k]->n[COL_PARTIAL] += strcmp(status,
							"partial") == 0;
			gs[k]->n[COL_COMPLETE] += strcmp(status,
							 "complete") == 0;
		}
	}
	{
		/* the whole frame: one table of one row, the total */
		struct breakdown all = { .key = "overall",
					 .title = "Ensemble" };

		add_table(doc, &all, &tot, threshold);
	}
	for (k = 0; k < 3; k++)
		add_table(doc, &b[k], &tot, threshold);
	if (threshold > 0)
		rdoc_meta(doc, "by_day", "jour par jour",
			  "non montré aux fédérations");
	else
		rc = add_days(conn, doc, study_id, err);
out:
	free(b);
	PQclear(res);
	return rc;
}


enum msp_status
fieldwork_build(PGconn *conn, const char *study, enum tenant_kind kind,
		struct rdoc **out, struct msp_error *err)
{
	struct rdoc *doc;
	enum msp_status rc;

	*out = NULL;
	if ((doc = rdoc_new()) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "fieldwork: out of "
				     "memory");
	rc = build(conn, doc, study, kind, err);
	if (rc == MSP_OK)
		rc = rdoc_status(doc, err);
	if (rc == MSP_OK) {
		*out = doc;
		doc = NULL;
	}
	rdoc_free(doc);
	return rc;
}
