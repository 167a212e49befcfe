/*
 * session — the web pages' sign-in sessions (docs/pages.md).
 *
 * A person types a bearer token once (/connexion); the worker draws a
 * session id of SESSION_ID_BYTES from the CSPRNG, msp.session_open
 * stores its SHA-256 against the token, and the browser keeps the id in
 * the cookie SESSION_COOKIE (HttpOnly, SameSite=Strict, Path=/, Secure
 * over HTTPS).  Every page looks the session up again
 * (msp.session_touch: live, who); the report enters its identity
 * (tenant_enter_session).  Limits (migration 0040): 30 minutes idle,
 * 12 hours in all; sign-out and the token's revocation end it.
 *
 * The CSRF token of a form shown under a session is secret_csrf_make()
 * of the session id (lib/secret.c: HMAC under the server secret, with
 * its issue time), checked in constant time: a form of another session,
 * or forged without the secret, is refused.
 */
#ifndef MSP_SESSION_H
#define MSP_SESSION_H

#include "http.h"
#include "secret.h"
#include "tenant.h"
#include "worker.h"

#define SESSION_ID_BYTES 32
#define SESSION_ID_HEX (2 * SESSION_ID_BYTES + 1)

#define SESSION_COOKIE "msp_session"

/* The absolute limit, as msp.session_open sets it (cookie Max-Age). */
#define SESSION_MAX_AGE (12 * 60 * 60)

/* A live session as a page sees it.  id is secret: session_clear(). */
struct session {
	char id[SESSION_ID_HEX];
	enum tenant_kind kind;
	char region_slug[64];	/* a federation's; "" otherwise */
	char region_name[128];
	char label[128];	/* the token's label, cut */
	char until[32];		/* when it ends unless used: "HH:MM" UTC */
};

/* The statements, for the site to register (conn.h). */
extern const struct statement session_statements[];

/*
 * Copies the value of cookie name from req's Cookie header into out
 * (size outsz) when it is there and is exactly hex_len lower-case hex
 * digits: 1; else 0, out empty.  What else a cookie might hold is
 * never looked at.
 */
int session_cookie(const struct request *req, const char *name,
		   size_t hex_len, char *out, size_t outsz);

/*
 * The live session of req's cookie, into *s: 1; no cookie, or a session
 * unknown, ended, expired or of a revoked token: 0 (r untouched); the
 * database failed: -1, replied.  Counts as a request for the idle
 * limit.
 */
int session_load_or_reply(struct worker *w, const struct request *req,
			  struct session *s, struct reply *r);

/*
 * Sign-in: opens a session for token and writes its id into id: 1, and
 * *kind; 0 when the token is unknown or revoked (nothing stored, r
 * untouched); -1, replied, when the database failed or the CSPRNG did.
 */
int session_open_or_reply(struct worker *w, const char *token,
			  char id[SESSION_ID_HEX], enum tenant_kind *kind,
			  struct reply *r);

/* Sign-out: ends session id: 0, or -1 replied (the database failed). */
int session_close_or_reply(struct worker *w, const char *id,
			   struct reply *r);

/*
 * Adds a Set-Cookie header for name=value (HttpOnly, SameSite=Strict,
 * Secure when req came over HTTPS), under path, for max_age seconds;
 * value "" and max_age 0 delete the cookie.
 */
void session_set_cookie(struct reply *r, const struct request *req,
			const char *name, const char *value,
			const char *path, long max_age);

/* The CSRF token of forms shown under session id, issued now. */
int session_csrf_make(const struct secret *secret, const char *id,
		      char out[SECRET_CSRF_MAX]);

/* Whether token is a CSRF token of session id, at most
 * SESSION_MAX_AGE old (constant-time comparison). */
int session_csrf_check(const struct secret *secret, const char *id,
		       const char *token);

/* Wipes the session's id. */
void session_clear(struct session *s);

#endif
