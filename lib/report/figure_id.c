/*
 * figure_id — one identity per figure (figure_id.h says which).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "report/figure_id.h"

static const char *
or_unknown(const char *s)
{
	return s != NULL ? s : "?";
}

void
figure_id(char *out, size_t size, const char *var, const char *cat,
	  int var_splits, const struct figure_col *col)
{
	const char *c = cat != NULL ? cat : "-";

	if (size > FIGURE_ID_MAX)
		size = FIGURE_ID_MAX;
	switch (col->kind) {
	case FIGCOL_GROUP:
		/* (var = cat, by = key) and (by = key, var = cat): one
		 * count, written with the variable that sorts first */
		if (var_splits && cat != NULL && *cat != '\0' &&
		    var != NULL && col->by != NULL &&
		    strcmp(var, col->by) > 0) {
			snprintf(out, size, "%s|%s|%s=%s", col->by,
				 or_unknown(col->key), var, cat);
			return;
		}
		snprintf(out, size, "%s|%s|%s=%s", or_unknown(var), c,
			 or_unknown(col->by), or_unknown(col->key));
		return;
	case FIGCOL_REMAINDER:
		snprintf(out, size, "%s|%s|%s=~", or_unknown(var), c,
			 or_unknown(col->by));
		return;
	case FIGCOL_NONRESPONSE:
		snprintf(out, size, "%s|%s|NR:%s", or_unknown(var), c,
			 or_unknown(col->key));
		return;
	case FIGCOL_COMPARE:
		snprintf(out, size, "%s|%s|CMP:%s", or_unknown(var), c,
			 or_unknown(col->key));
		return;
	case FIGCOL_ALL:
	default:
		snprintf(out, size, "%s|%s|ALL", or_unknown(var), c);
		return;
	}
}
