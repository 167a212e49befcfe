/*
 * studies — a worker's cache of the studies, their instruments and the
 * respondent roles: reference data, re-read at most every STUDIES_TTL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "studies.h"

/* Studies are reference data: re-read at most this often. */
#define STUDIES_TTL 60

/* The statements of the cache, prepared on each new connection. */
const struct statement studies_statements[] = {
	{ "respondent_roles",
	  /* the values of the enum, in its order (lib/import.c reads
	   * them the same way): a value added by a migration is offered
	   * and accepted with no change here */
	  "SELECT e::text AS code FROM pg_catalog.unnest("
	  "pg_catalog.enum_range(NULL::msp.respondent_role)) e", 0 },
	{ "studies",
	  "SELECT s.study_id, s.slug, s.title_fr, s.year, s.instrument_id,"
	  "       r.slug AS region, r.name AS region_name"
	  "  FROM msp.study s JOIN msp.region r USING (region_id)"
	  " ORDER BY r.slug, s.year DESC, s.slug", 0 },
	{ NULL, NULL, 0 }
};

static const struct failure no_memory = { 503, "5", "out of memory" };

void
studies_free(struct studies *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->list[i].slug);
		free(c->list[i].title_fr);
		free(c->list[i].region_slug);
		free(c->list[i].region_name);
		instrument_free(c->list[i].ins);
	}
	free(c->list);
	c->list = NULL;
	c->n = 0;
	c->loaded = 0;
	PQclear(c->roles);
	c->roles = NULL;
}

int
studies_load_or_reply(struct studies *c, struct conn *db, struct reply *r)
{
	struct msp_error err;
	PGresult *res = NULL, *roles = NULL;
	PGconn *conn;
	int i, n;

	if (c->loaded != 0 &&
	    time(NULL) - c->loaded < STUDIES_TTL)
		return 0;
	if ((conn = conn_get_or_reply(db, r)) == NULL)
		return -1;
	if (db_exec_prepared(conn, "studies", 0, NULL, PGRES_TUPLES_OK, &res,
			     &err) != MSP_OK) {
		conn_failure_reply(db, &err, r);
		return -1;
	}
	if (db_exec_prepared(conn, "respondent_roles", 0, NULL,
			     PGRES_TUPLES_OK, &roles, &err) != MSP_OK) {
		PQclear(res);
		conn_failure_reply(db, &err, r);
		return -1;
	}
	studies_free(c);
	c->roles = roles;
	n = PQntuples(res);
	c->list = calloc(n ? (size_t)n : 1, sizeof(*c->list));
	if (c->list == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		struct study *s = &c->list[i];

		c->n = (size_t)i + 1;
		s->study_id = (int)db_int(res, i, "study_id");
		s->year = (int)db_int(res, i, "year");
		s->instrument_id = (int)db_int(res, i, "instrument_id");
		s->slug = strdup(PQgetvalue(res, i, db_column(res, "slug")));
		s->title_fr = strdup(PQgetvalue(res, i,
						db_column(res, "title_fr")));
		s->region_slug = strdup(PQgetvalue(res, i,
						   db_column(res, "region")));
		s->region_name = strdup(PQgetvalue(res, i,
						   db_column(res,
							     "region_name")));
		if (!s->slug || !s->title_fr || !s->region_slug ||
		    !s->region_name)
			goto oom;
	}
	PQclear(res);
	c->loaded = time(NULL);
	return 0;
oom:
	PQclear(res);
	studies_free(c);
	http_fail(r, &no_memory);
	return -1;
}

const char *
studies_role(const struct studies *c, const char *code)
{
	int i, n = c->roles != NULL ? PQntuples(c->roles) : 0;

	for (i = 0; i < n; i++)
		if (strcmp(code, PQgetvalue(c->roles, i, 0)) == 0)
			return PQgetvalue(c->roles, i, 0);
	return NULL;
}

size_t
studies_n_roles(const struct studies *c)
{
	return c->roles != NULL ? (size_t)PQntuples(c->roles) : 0;
}

const char *
studies_role_at(const struct studies *c, size_t i)
{
	return PQgetvalue(c->roles, (int)i, 0);
}

const struct study *
studies_find_or_reply(struct studies *c, struct conn *db, const char *slug,
		      struct reply *r, int *found)
{
	struct msp_error err;
	size_t i;

	*found = -1;
	if (studies_load_or_reply(c, db, r) != 0)
		return NULL;
	for (i = 0; i < c->n; i++) {
		struct study *s = &c->list[i];

		if (strcmp(s->slug, slug) != 0)
			continue;
		/* Instruments are immutable: loaded once per worker. */
		if (s->ins == NULL &&
		    instrument_load(db->pg, s->instrument_id, &s->ins,
				    &err) != MSP_OK) {
			conn_failure_reply(db, &err, r);
			return NULL;
		}
		*found = 1;
		return s;
	}
	*found = 0;
	return NULL;
}

