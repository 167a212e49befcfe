/*
 * restitution — a team's own feedback page (issue 19 item 3,
 * docs/pages.md): what the survey promised teams in return for
 * answering.  For each study the team answered, its answers placed
 * against its region's published figures (its stage on the continuum,
 * its involvement, priority, freins and leviers), then the guide and
 * the support it can turn to (msp.restitution_resource).
 */
#ifndef MSP_RESTITUTION_H
#define MSP_RESTITUTION_H

#include "http.h"
#include "worker.h"

/* The most studies one page shows (a team answers one per wave). */
#define RESTITUTION_MAX_STUDIES 8

/* Handles req when its path is /restitution (returns 1, r filled),
 * else returns 0 with r untouched. */
int restitution_route(struct worker *w, struct request *req,
		      struct reply *r);

#endif
