/*
 * site — msp-fcgi's page table (site.h).
 */
#include "config.h"

#include "api.h"
#include "coding.h"
#include "forms.h"
#include "metrics.h"
#include "pages.h"
#include "restitution.h"
#include "session.h"
#include "site.h"
#include "studies.h"

/* /metrics, the API, then the forms, then the workspace's pages (sign-in, the
 * reports); "/" and the rest are the loop's (a redirect to /forms,
 * 404).  The API defers each submission to store a batch of
 * them in one database call. */
static const struct route routes[] = {
	{ "metrics", metrics_route },	/* nginx's local listener only */
	{ "api", api_route },
	{ "forms", forms_route },
	{ "restitution", restitution_route },
	{ "pages", pages_route },
	{ "coding", coding_route },
};

/* Every statement a worker runs, each table beside its module's code;
 * prepared once per connection. */
static const struct statement *const statements[] = {
	studies_statements, api_statements, forms_statements,
	session_statements, coding_statements, NULL,
};

const struct site site = {
	routes, sizeof(routes) / sizeof(routes[0]), api_flush, statements,
};
