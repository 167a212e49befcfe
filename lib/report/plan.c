/*
 * plan — a study's protection plan, read for a report (plan.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db.h"
#include "report/plan.h"

static int
cmp_figure(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		msp_free(p->figures[i]);
	msp_free(p->figures);
	msp_free(p);
}

int
plan_hides(const struct plan *p, const char *id)
{
	if (p == NULL || p->n == 0)
		return 0;
	return bsearch(&id, p->figures, p->n, sizeof(*p->figures),
		       cmp_figure) != NULL;
}

enum msp_status
plan_load(PGconn *conn, int study_id, const char *slug, struct plan **out,
	  struct msp_error *err)
{
	char id[16];
	const char *params[1] = { id };
	PGresult *res = NULL;
	struct plan *p = NULL;
	const char *status;
	enum msp_status rc;
	int i, n;

	*out = NULL;
	snprintf(id, sizeof(id), "%d", study_id);
	rc = db_exec(conn, "plan status",
		     "SELECT msp.disclosure_plan_status($1::integer) AS status",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		return rc;
	status = db_text(res, 0, "status");
	/* 'missing': never protected (a study closed before 0048, the
	 * reference studies as loaded): the block-by-block releases, as
	 * before plans existed (docs/report.md says why) */
	if (status == NULL || strcmp(status, "open") == 0 ||
	    strcmp(status, "other_run") == 0 ||
	    strcmp(status, "missing") == 0)
		goto out;
	if (strcmp(status, "fresh") != 0 && strcmp(status, "protecting") != 0) {
		rc = msp_error_set(err, MSP_ECONFLICT,
			"%s : msp-report disclosure-protect --study %s "
			"(plan de protection %s)", PLAN_REFUSAL, slug,
			strcmp(status, "stale") == 0 ?
			"périmé : les données ou le seuil ont changé" :
			"inachevé");
		goto out;
	}
	PQclear(res);
	res = NULL;
	/* C collation: the order plan_hides() searches in */
	rc = db_exec(conn, "plan figures",
		     "SELECT figure FROM msp.disclosure_plan"
		     " WHERE study_id = $1::integer"
		     " ORDER BY figure COLLATE \"C\"",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		goto out;
	n = PQntuples(res);
	p = msp_calloc(1, sizeof(*p));
	if (p == NULL || (p->figures = msp_calloc((size_t)n + 1,
						  sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if ((p->figures[i] = msp_strdup(PQgetvalue(res, i, 0))) ==
		    NULL)
			goto nomem;
		p->n++;
	}
	/* the database's "C" order is strcmp's; sorted again all the
	 * same, since bsearch on a misordered array finds nothing */
	qsort(p->figures, p->n, sizeof(*p->figures), cmp_figure);
	*out = p;
	p = NULL;
	goto out;
nomem:
	rc = msp_error_set(err, MSP_ENOMEM, "plan: out of memory");
out:
	plan_free(p);
	PQclear(res);
	return rc;
}
