/*
 * stats — placeholder: the implementation is being written (issue 5).
 */
#include "config.h"

#include <stdlib.h>

#include "stats.h"

enum msp_status
stats_wilson(unsigned long k, unsigned long n, double z,
	     struct stats_interval *out, struct msp_error *err)
{
	(void)k; (void)n; (void)z; (void)out;
	return msp_error_set(err, MSP_EINVAL, "stats: not implemented yet");
}

enum msp_status
stats_test(const struct stats_table *t, enum stats_method method,
	   struct stats_result *out, struct msp_error *err)
{
	(void)t; (void)method; (void)out;
	return msp_error_set(err, MSP_EINVAL, "stats: not implemented yet");
}

const char *
stats_method_name(enum stats_method method)
{
	return method == STATS_FISHER ? "fisher" : "chi-squared";
}

enum msp_status
stats_table_parse(const char *text, struct stats_table *out,
		  struct msp_error *err)
{
	(void)text; (void)out;
	return msp_error_set(err, MSP_EINVAL, "stats: not implemented yet");
}

void
stats_table_free(struct stats_table *t)
{
	free(t->cells);
	t->cells = NULL;
}
