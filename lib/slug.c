/*
 * slug — the one rule for slugs (slug.h).
 */
#include "config.h"

#include <string.h>

#include "slug.h"

int
slug_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (s[i + 1] == '-')
				return 0;
		} else if (!((s[i] >= 'a' && s[i] <= 'z') ||
			     (s[i] >= '0' && s[i] <= '9'))) {
			return 0;
		}
	}
	return 1;
}
