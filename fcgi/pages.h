/*
 * pages — the federations', analysts' and teams' pages in the browser:
 * sign-in, their space, the region report, sign-out (docs/pages.md).
 * Every reply is an HTML page in French, errors included, but the
 * report's downloads (CSV, JSON).
 */
#ifndef MSP_PAGES_H
#define MSP_PAGES_H

#include "http.h"
#include "worker.h"

/* Handles req when its path is /connexion, /deconnexion, /espace or
 * under /reports/ (returns 1, r filled), else returns 0 with r
 * untouched. */
int pages_route(struct worker *w, struct request *req, struct reply *r);

#endif
