/*
 * studies — a worker's cache of the studies, their instruments (loaded
 * on first use, immutable) and the respondent roles (the values of the
 * enum msp.respondent_role): reference data, re-read at most every
 * minute.
 */
#ifndef MSP_STUDIES_H
#define MSP_STUDIES_H

#include <libpq-fe.h>
#include <time.h>

#include "conn.h"
#include "http.h"
#include "instrument.h"

struct study {
	int study_id;
	char *slug;
	char *title_fr;
	char *region_slug;
	char *region_name;	/* for people: « Pays de la Loire » */
	int year;
	int instrument_id;
	struct instrument *ins;		/* loaded on first use */
};

struct studies {
	struct study *list;
	size_t n;
	time_t loaded;		/* 0: load on next use */
	PGresult *roles;	/* msp.respondent_role's values; NULL before */
};

/* The cache's statements, for the site to register (conn.h). */
extern const struct statement studies_statements[];

/* Loads the studies and the roles (again once a minute old) over db:
 * 0, or -1 with the failure replied. */
int studies_load_or_reply(struct studies *c, struct conn *db,
			  struct reply *r);

/*
 * The study named slug with its instrument loaded, or NULL: *found is 0
 * when there is no such study (r untouched), -1 when the database
 * failed (replied).
 */
const struct study *studies_find_or_reply(struct studies *c,
					  struct conn *db, const char *slug,
					  struct reply *r, int *found);

/*
 * The respondent roles, in the enum's order, as last loaded (none
 * before): borrowed until the next reload, so copy one that must
 * outlive the request.  studies_role() returns the cached code equal to
 * code, or NULL when the enum has no such value.
 */
const char *studies_role(const struct studies *c, const char *code);
size_t studies_n_roles(const struct studies *c);
const char *studies_role_at(const struct studies *c, size_t i);

/* Frees what c holds; c loads again on next use.  Safe when empty. */
void studies_free(struct studies *c);

#endif
