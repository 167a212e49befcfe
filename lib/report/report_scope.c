/*
 * report_scope — what a report may read under the reader's token, as
 * the report sees it before it counts: a team's token reads its own
 * structure's rows only, so another region's study would print zeros
 * (rx_team_scope).  Called by report.c (--region, --compare of
 * regions) and report_waves.c (--compare of waves); calls no other
 * report file, so neither calls back into the other through it.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "report_int.h"

/* The region of the team's structure: the one structure its policy
 * (0006) lets it read. */
static const char sql_team_region[] =
	"SELECT g.slug FROM msp.structure st"
	"  JOIN msp.region g ON g.region_id = st.region_id";

enum msp_status
rx_team_scope(struct rctx *c, const struct rstudy *st)
{
	PGresult *res = NULL;
	enum msp_status rc;

	if (c->kind != TENANT_TEAM)
		return MSP_OK;
	rc = db_exec(c->conn, "report: team region", sql_team_region, 0,
		     NULL, PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		goto out;
	if (PQntuples(res) != 1 ||
	    strcmp(PQgetvalue(res, 0, 0), st->region_slug) != 0)
		rc = msp_error_set(c->err, MSP_EACCESS,
			"région « %s » (étude %s) hors du périmètre de "
			"votre jeton d'équipe : il ne lit que les réponses "
			"de votre structure, dans sa région%s%s ; les "
			"agrégats d'une autre région se lisent avec un "
			"jeton de fédération", st->region_slug, st->slug,
			PQntuples(res) == 1 ? " : " : "",
			PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
out:
	PQclear(res);
	return rc;
}
