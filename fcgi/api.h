/*
 * api — the JSON API under /api/: health, studies, instruments,
 * responses, interviews and a team's export.  Every reply is JSON or
 * problem+json (RFC 9457); the loop reaches it only through the route
 * table main.c builds (struct site).
 */
#ifndef MSP_API_H
#define MSP_API_H

#include "http.h"
#include "worker.h"

/* Handles req when its path is under /api/ (returns 1, r filled, or a
 * submission left in *w->defer when the loop defers), else returns 0
 * with r untouched. */
int api_route(struct worker *w, struct request *req, struct reply *r);

/*
 * The site's deferred-work hook: stores the checked submissions
 * subs[0..n) (n >= 1, each one api_route left in *w->defer) and fills
 * replies[i] with each one's answer, exactly as if each had been stored
 * alone, in order, in one database call when it can; frees each
 * subs[i] (the array stays the caller's).  Failures are replied, one
 * per submission.
 */
void api_flush(struct worker *w, void **subs, struct reply **replies,
	       size_t n);

/* The API's statements, for the site to register (conn.h). */
extern const struct statement api_statements[];

#endif
