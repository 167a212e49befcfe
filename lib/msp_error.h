/*
 * msp_error — the one error type of the library.
 *
 * Every fallible function returns an enum msp_status and, when it fails,
 * fills a caller-owned struct msp_error with a message that says what
 * failed and why.  Callers carry errors up, adding context in front with
 * msp_error_prefix() ("0002_schema.sql: ..."), until a program decides
 * what to do: the CLI prints it and exits, the worker answers an HTTP
 * status.  Messages never carry respondents' data.
 */
#ifndef MSP_ERROR_H
#define MSP_ERROR_H

#include <stddef.h>

enum msp_status {
	MSP_OK = 0,
	MSP_ENOMEM,	/* an allocation failed */
	MSP_EIO,	/* reading or writing a file failed */
	MSP_EDB,	/* the database refused or is unreachable */
	MSP_EINVAL,	/* the input is malformed or out of range */
	MSP_ECONFIG,	/* configuration is missing or inconsistent */
	MSP_ECONFLICT,	/* the stored state disagrees with what we hold */
	MSP_EACCESS,	/* the caller's identity is unknown or not allowed */
};

#define MSP_ERROR_MAX 1024

struct msp_error {
	enum msp_status status;
	char message[MSP_ERROR_MAX];
	/* PostgreSQL's SQLSTATE for MSP_EDB errors from the server
	 * ("23505"), else empty. */
	char sqlstate[6];
	/* 1 when the server's message is a PL/pgSQL RAISE (our functions'
	 * own sentences, written in French for people), 0 for
	 * PostgreSQL's own messages (in English) and every other error. */
	unsigned char raised;
};

/* A short, fixed description of a status ("database error"). */
const char *msp_strerror(enum msp_status status);

/*
 * Records status and a printf-style message in err (which may be NULL)
 * and returns status, so that callers can write
 *	return msp_error_set(err, MSP_EINVAL, "bad version %s", s);
 * The message is truncated to fit; it never fails.
 */
enum msp_status msp_error_set(struct msp_error *err, enum msp_status status,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts "context: " in front of err's message (err may be NULL). */
void msp_error_prefix(struct msp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears err to MSP_OK with an empty message. */
void msp_error_clear(struct msp_error *err);

#endif
