#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"

enum msp_status
file_read(const char *path, size_t max, char **out, size_t *len,
	  struct msp_error *err)
{
	FILE *f = NULL;
	char *buf = NULL, *grown;
	size_t used = 0, cap = 0, n;
	enum msp_status st = MSP_OK;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		st = msp_error_set(err, MSP_EIO, "%s: %s", path,
				   strerror(errno));
		goto out;
	}
	for (;;) {
		if (cap - used < 4096) {
			/* max is checked below, so cap stays near max. */
			cap = cap == 0 ? 8192 : cap * 2;
			grown = realloc(buf, cap + 1);
			if (grown == NULL) {
				st = msp_error_set(err, MSP_ENOMEM,
						   "%s: out of memory", path);
				goto out;
			}
			buf = grown;
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (used > max) {
			st = msp_error_set(err, MSP_EINVAL,
					   "%s: larger than %zu bytes", path,
					   max);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		st = msp_error_set(err, MSP_EIO, "%s: read error", path);
		goto out;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return st;
}
