#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msp_error.h"

const char *
msp_strerror(enum msp_status status)
{
	switch (status) {
	case MSP_OK:		return "success";
	case MSP_ENOMEM:	return "out of memory";
	case MSP_EIO:		return "input/output error";
	case MSP_EDB:		return "database error";
	case MSP_EINVAL:	return "invalid input";
	case MSP_ECONFIG:	return "configuration error";
	case MSP_ECONFLICT:	return "conflict with stored state";
	case MSP_EACCESS:	return "access denied";
	}
	return "unknown error";
}

enum msp_status
msp_error_set(struct msp_error *err, enum msp_status status,
	      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	err->sqlstate[0] = '\0';
	err->raised = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

void
msp_error_prefix(struct msp_error *err, const char *fmt, ...)
{
	const size_t cap = sizeof(err->message);
	char prefix[MSP_ERROR_MAX];
	size_t plen, head, old;
	va_list ap;
	int n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	plen = strlen(prefix);
	head = plen + 2;		/* "prefix: " */
	if (head >= cap) {
		memcpy(err->message, prefix, cap - 1);
		err->message[cap - 1] = '\0';
		return;
	}
	/* Shift the old message right, dropping what no longer fits. */
	old = strnlen(err->message, cap - 1);
	if (old > cap - 1 - head)
		old = cap - 1 - head;
	memmove(err->message + head, err->message, old);
	err->message[head + old] = '\0';
	memcpy(err->message, prefix, plen);
	err->message[plen] = ':';
	err->message[plen + 1] = ' ';
}

void
msp_error_clear(struct msp_error *err)
{
	if (err == NULL)
		return;
	err->status = MSP_OK;
	err->message[0] = '\0';
	err->sqlstate[0] = '\0';
	err->raised = 0;
}
