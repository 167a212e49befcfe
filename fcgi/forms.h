/*
 * forms — the HTML questionnaires under /forms: the list of studies, a
 * study's form, its save and submit.  Every reply is an HTML page,
 * errors included; the loop reaches it only through the route table
 * main.c builds (struct site).
 */
#ifndef MSP_FORMS_H
#define MSP_FORMS_H

#include "http.h"
#include "worker.h"

/* Handles req when its path is /forms or under /forms/ (returns 1, r
 * filled), else returns 0 with r untouched. */
int forms_route(struct worker *w, struct request *req, struct reply *r);

/* The forms' statements, for the site to register (conn.h). */
extern const struct statement forms_statements[];

#endif
