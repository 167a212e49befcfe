/*
 * report_stored — a federation's report of a protected study: the
 * release its protection run stored (issue 19, item 1; docs/report.md,
 * "Stored releases").
 *
 * Once a closed study's plan holds (msp.disclosure_plan_status
 * 'fresh'), what a federation reads of it is the document the run's
 * audit read, from msp.federation_release_get, never a recount: the
 * database refuses the federation's own token every counting function
 * of any study (msp.report_scope), so that no client gets more than
 * was audited.  Otherwise the report is refused, never counted: an open
 * study is published at its close (its fieldwork monitor stays live), a
 * closed one never protected waits for msp-report disclosure-protect, a
 * stale plan for a new run, and a comparison (of regions, or of two
 * waves) until every study it compares is published.  A team's
 * feedback page reads the same releases (report_options.as_federation,
 * under the team's token, which counts nothing either).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "report/plan.h"
#include "report/rdoc_json.h"
#include "report/request_key.h"
#include "report_int.h"

/* The most regions a stored comparison names (report.c's). */
#define STORED_MAX_REGIONS 8

/* Whether status (msp.disclosure_plan_status) says the token is a
 * protection run's: the database lets it count (msp.report_scope). */
static int
run_status(const char *status)
{
	return status != NULL && (strcmp(status, "other_run") == 0 ||
				  strcmp(status, "protecting") == 0);
}

/*
 * Whether a federation's report of study st is published, for this
 * transaction's token: *study_id is st's when its plan holds
 * (msp.disclosure_plan_status 'fresh'), 0 for a protection run's token
 * reading another study ('other_run', 'protecting': counted, as the
 * database lets it).  Otherwise refused, never counted: an open study
 * (MSP_ECONFLICT, PLAN_OPEN_REFUSAL: its fieldwork monitor is live), a
 * closed one never protected (MSP_ECONFLICT, PLAN_UNPUBLISHED), a plan
 * stale or unfinished (MSP_ECONFLICT, PLAN_REFUSAL, as plan_load());
 * MSP_EDB.
 */
static enum msp_status
published(struct rctx *c, const struct rstudy *st, int *study_id)
{
	char id[16];
	const char *params[1] = { id };
	PGresult *res = NULL;
	enum msp_status rc;
	const char *status;

	*study_id = 0;
	snprintf(id, sizeof(id), "%d", st->study_id);
	rc = db_exec(c->conn, "report: release status",
		     "SELECT msp.disclosure_plan_status($1::integer) AS s",
		     1, params, PGRES_TUPLES_OK, &res, c->err);
	if (rc != MSP_OK)
		return rc;
	status = db_text(res, 0, "s");
	if (status == NULL)
		rc = msp_error_set(c->err, MSP_EDB, "report: no release "
				   "status for study %s", st->slug);
	else if (strcmp(status, "fresh") == 0)
		*study_id = st->study_id;
	else if (run_status(status))
		;	/* counted, as the database lets it */
	else if (strcmp(status, "open") == 0)
		rc = msp_error_set(c->err, MSP_ECONFLICT, "%s : ses rapports "
			"de fédération seront publiés à sa clôture (suivi de "
			"terrain : msp-report fieldwork --study %s, page "
			"/fieldwork/%s)", PLAN_OPEN_REFUSAL, st->slug,
			st->slug);
	else if (strcmp(status, "missing") == 0)
		rc = msp_error_set(c->err, MSP_ECONFLICT, "%s : msp-report "
			"disclosure-protect --study %s (étude close, jamais "
			"protégée)", PLAN_UNPUBLISHED, st->slug);
	else if (strcmp(status, "stale") == 0 ||
		 strcmp(status, "incomplete") == 0)
		rc = msp_error_set(c->err, MSP_ECONFLICT, "%s : msp-report "
			"disclosure-protect --study %s (plan de protection "
			"%s)", PLAN_REFUSAL, st->slug,
			strcmp(status, "stale") == 0 ?
			"périmé : les données ou le seuil ont changé" :
			"inachevé");
	PQclear(res);
	return rc;
}

/* What a plan status says to people (msp.disclosure_plan_status). */
static const char *
status_text(const char *status)
{
	static const struct {
		const char *status, *text;
	} texts[] = {
		{ "open", "étude ouverte : publiée à sa clôture" },
		{ "missing", "jamais protégée" },
		{ "stale", "plan de protection périmé" },
		{ "incomplete", "plan de protection inachevé" },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		if (strcmp(status, texts[i].status) == 0)
			return texts[i].text;
	return status;
}

/*
 * The study whose release answers the comparison in c->opt->compare, of
 * regions or of two waves of a region (studies), into *study_id (0:
 * malformed, for the counted report to say why, or a protection run's
 * token, which counts), and the regions' slugs, or the studies', into
 * k->compare (doc-owned; the key sorts them).  Every protection run
 * stores the comparison of its region with every other, and of its
 * study with every other wave of its region, the other columns as they
 * were then; a study's plan holds only while its data are those of its
 * run.  So when every compared study's plan holds, the comparison of
 * the LATEST run is current (each other study is unchanged since its
 * own, earlier, run); while one does not hold, none is, and the
 * comparison is refused (MSP_ECONFLICT) until it is protected.
 */
static enum msp_status
compare_study(struct rctx *c, struct report_options *k, int *study_id)
{
	const char *names[STORED_MAX_REGIONS + 1];
	struct buf slugs = BUF_INIT(BUF_MAX_TEXT);
	const char *p = c->opt->compare, *unheld = NULL, *why = NULL;
	PGresult *res = NULL;
	char id[16];
	const char *params[1] = { id };
	size_t n = 0, i;
	int waves = 0, run = 0;
	double latest = 0;
	enum msp_status rc = MSP_OK;

	*study_id = 0;
	while (*p != '\0' && n <= STORED_MAX_REGIONS) {
		size_t len = strcspn(p, ",");
		char *name = rdoc_alloc(c->doc, len + 1);

		if (name == NULL)
			return msp_error_set(c->err, MSP_ENOMEM,
					     "report: out of memory");
		memcpy(name, p, len);
		if (len > 0)
			names[n++] = name;
		p += len + (p[len] == ',');
	}
	/* malformed: the counted report says why */
	if (*p != '\0' || n < 2 || n > STORED_MAX_REGIONS ||
	    report_waves_named(c, names, n, &waves) != MSP_OK)
		return MSP_OK;
	for (i = 0; i < n; i++) {
		struct rstudy st;
		const char *status, *region = names[i], *study = NULL;
		const char *follows;

		/* a wave: its region, and itself */
		if (waves && ((rc = rdata_wave(c, names[i], &region,
					       &follows)) != MSP_OK ||
			      region == NULL))
			goto out;
		if (waves)
			study = names[i];
		if ((rc = rdata_study(c, region, study, &st)) != MSP_OK)
			goto out;
		snprintf(id, sizeof(id), "%d", st.study_id);
		rc = db_exec(c->conn, "report: compared study's release",
			     "SELECT msp.disclosure_plan_status($1::integer)"
			     "  AS status, (SELECT extract(epoch FROM"
			     "    d.made_at)::float8 FROM"
			     "    msp.disclosure_plan_state d"
			     "   WHERE d.study_id = $1::integer) AS made",
			     1, params, PGRES_TUPLES_OK, &res, c->err);
		if (rc != MSP_OK)
			goto out;
		status = db_text(res, 0, "status");
		if (status != NULL && strcmp(status, "fresh") == 0) {
			const char *m = db_text(res, 0, "made");
			double made = m != NULL ? strtod(m, NULL) : 0;

			if (*study_id == 0 || made > latest) {
				*study_id = st.study_id;
				latest = made;
			}
		} else if (run_status(status)) {
			run = 1;
		} else if (unheld == NULL) {
			unheld = st.slug;
			why = rdoc_strdup(c->doc, status_text(status != NULL ?
							      status : "?"));
		}
		PQclear(res);
		res = NULL;
		buf_printf(&slugs, "%s%s", i ? "," : "",
			   waves ? st.slug : st.region_slug);
	}
	if (run) {
		/* a protection run's token: counted, as the database
		 * lets it */
		*study_id = 0;
		goto out;
	}
	if (unheld != NULL) {
		*study_id = 0;
		rc = msp_error_set(c->err, MSP_ECONFLICT, "%s : l'étude %s "
			"n'a pas de diffusion qui tienne (%s) ; une "
			"comparaison se lit quand chaque étude comparée est "
			"close et protégée (msp-report disclosure-protect "
			"--study %s)", PLAN_COMPARE_REFUSAL, unheld,
			why != NULL ? why : "?", unheld);
		goto out;
	}
	if ((rc = buf_status(&slugs, c->err)) != MSP_OK)
		goto out;
	k->compare = rdoc_strdup(c->doc, buf_str(&slugs));
	k->region = NULL;
	k->study = NULL;
	if (k->compare == NULL)
		rc = msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
out:
	PQclear(res);
	buf_free(&slugs);
	return rc;
}

enum msp_status
report_stored(struct rctx *c, int *done)
{
	struct report_options k = *c->opt;
	struct buf key = BUF_INIT(BUF_MAX_TEXT);
	char id[16];
	const char *params[2];
	PGresult *res = NULL;
	struct rdoc *doc = NULL;
	const char *text;
	int study_id = 0;
	enum msp_status rc = MSP_OK;

	*done = 0;
	/* a team's feedback page reads the federation's release itself */
	k.as_federation = 0;
	if (c->opt->compare != NULL) {
		rc = compare_study(c, &k, &study_id);
	} else if (c->opt->region != NULL) {
		struct rstudy st;

		rc = rdata_study(c, c->opt->region, c->opt->study, &st);
		if (rc == MSP_OK)
			rc = published(c, &st, &study_id);
		if (rc == MSP_OK && study_id != 0)
			k.study = st.slug;
	}
	if (rc != MSP_OK || study_id == 0)
		goto out;
	report_request_key(&k, &key);
	if ((rc = buf_status(&key, c->err)) != MSP_OK)
		goto out;
	snprintf(id, sizeof(id), "%d", study_id);
	params[0] = id;			/* $1 the study */
	params[1] = buf_str(&key);	/* $2 the request */
	rc = db_exec(c->conn, "report: stored release",
		     "SELECT msp.federation_release_get($1::integer, $2)::text"
		     " AS doc", 2, params, PGRES_TUPLES_OK, &res, c->err);
	if (rc == MSP_EDB && strcmp(c->err->sqlstate, "MSPR1") == 0) {
		/* the release waits for a new run (plan.h's refusal) */
		rc = rctx_refusal(c, MSP_ECONFLICT);
		goto out;
	}
	if (rc == MSP_EDB && strcmp(c->err->sqlstate, "MSPR2") == 0) {
		/* a report the audit never read: not published; say what
		 * is (audit.h lists what the run reads) */
		char why[sizeof(c->err->message)];

		snprintf(why, sizeof(why), "%s", db_error_sentence(c->err));
		rc = msp_error_set(c->err, MSP_EINVAL, "%s ; une fédération "
			"lit ce que la protection de l'étude a vérifié : le "
			"rapport de région et --by VARIABLE sous les quatre "
			"règles --nsp et --missing, et avec les règles par "
			"défaut seulement --nonresponse, --compare de toutes "
			"les régions, --has, --terms QUESTION (--top 10), et "
			"les « équipes comme la vôtre » de la restitution ; "
			"--compare de deux vagues de la région sous les "
			"quatre règles",
			why);
		goto out;
	}
	if (rc != MSP_OK)
		goto out;
	text = db_text(res, 0, "doc");
	if (text == NULL) {
		rc = msp_error_set(c->err, MSP_EDB, "report: stored release "
				   "of study %d is empty", study_id);
		goto out;
	}
	if ((rc = rdoc_from_json(text, strlen(text), &doc, c->err)) != MSP_OK)
		goto out;
	rdoc_free(c->doc);
	c->doc = doc;
	*done = 1;
out:
	PQclear(res);
	buf_free(&key);
	return rc;
}
