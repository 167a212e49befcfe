/*
 * secret — the server secret and what is derived from it.
 *
 * One secret file (MSP_SECRET_FILE, at least 32 bytes from a CSPRNG,
 * readable only by the service) keys two HMAC-SHA256 uses, kept apart
 * by a label in the message:
 *   - structure pseudonyms: a team types its identifier (FINESS number,
 *     or name and town); only HMAC("structure\n" + normalised
 *     identifier) is stored, so the same team links to the same row
 *     without the database knowing who it is;
 *   - form tokens (CSRF): HMAC("csrf\n" + form key + "\n" + issue time)
 *     binds a rendered form to this server and an age;
 *   - resume codes: HMAC("resume\n" + form key) is the private code that
 *     reopens a saved form.  Derived, not drawn, so that saving the same
 *     form twice gives the code already stored (only its SHA-256 is).
 *     So the form key, with a form token still valid (24 hours), is as
 *     good as the code: a save POSTed with it finds the draft and shows
 *     the code.  The key lives only in the page and in POST bodies,
 *     never in a URL or a log;
 *   - personal invitation links: HMAC("invitation\n" + study slug + "\n"
 *     + structure pseudonym) is the code of the link msp-report invite
 *     sends to one structure of a study's frame.  Derived, so that the
 *     mail-merge file, the reminders and the volunteers' list give the
 *     same link; the database keeps only its SHA-256.
 */
#ifndef MSP_SECRET_H
#define MSP_SECRET_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "crypto.h"
#include "msp_error.h"

#define SECRET_MIN 32
#define SECRET_MAX 4096

struct secret {
	unsigned char *key;
	size_t len;
};

/*
 * Reads the secret at path into *out (secret_clear() it).  Fails with
 * MSP_ECONFIG when the path is empty, the file is shorter than
 * SECRET_MIN bytes or longer than SECRET_MAX; MSP_EIO when unreadable.
 */
enum msp_status secret_load(const char *path, struct secret *out,
			    struct msp_error *err);

/* Wipes and frees the key; safe on a zeroed or cleared secret. */
void secret_clear(struct secret *s);

/*
 * Appends to out the normalised form of a structure identifier, the
 * text its pseudonym is computed from: letters lower-cased and without
 * their accents (Latin-1's, and œ), blanks and the punctuation people
 * put or leave out (- ' ’ , . / _ ; : ( ) " and no-break spaces) made
 * one space between words and none at the ends, and a FINESS number
 * written with spaces, dots or dashes ("44 000 1234", "2A.000.1234")
 * made its nine characters.  So "MSP des Lilas, Albi" and
 * "msp des lilas albi", "Saint-Brieuc" and "SAINT BRIEUC",
 * "440001234" and "44 000 1234" agree.  Other characters are kept.
 * Fails with MSP_ENOMEM only (out->failed).
 */
enum msp_status secret_normalise_identifier(const char *identifier,
					    struct buf *out);

/*
 * The pseudonym of a structure identifier, as 64 hex digits in out:
 * HMAC of its normalised form (secret_normalise_identifier()).  Fails
 * with MSP_EINVAL for an identifier that is empty after normalisation.
 */
enum msp_status secret_pseudonym(const struct secret *s,
				 const char *identifier,
				 char out[CRYPTO_SHA256_HEX],
				 struct msp_error *err);

/*
 * The pseudonym identifier had before issue 18 widened the
 * normalisation (ASCII blanks collapsed and ASCII capitals lowered,
 * nothing else), for finding a structure stored under it: an
 * identifier with accents or punctuation now gives another pseudonym
 * (docs/rgpd.md).  Fails as secret_pseudonym() does.
 */
enum msp_status secret_pseudonym_legacy(const struct secret *s,
					const char *identifier,
					char out[CRYPTO_SHA256_HEX],
					struct msp_error *err);

/* "<unix time>.<64 hex>": fits in this many bytes with the NUL. */
#define SECRET_CSRF_MAX 96

/* The form token for form_key issued at now. */
enum msp_status secret_csrf_make(const struct secret *s,
				 const char *form_key, time_t now,
				 char out[SECRET_CSRF_MAX],
				 struct msp_error *err);

/*
 * Whether token is this server's form token for form_key, issued at
 * most max_age seconds before now (and not in the future).  Compares in
 * constant time.
 */
int secret_csrf_check(const struct secret *s, const char *form_key,
		      const char *token, time_t now, long max_age);

/*
 * The resume code of the form whose key is form_key, as 64 hex digits in
 * out.  Whoever holds it can read and change that form's saved answers:
 * it is shown once, to the person who saved, and never put in a URL a
 * server sees.  Fails only if libcrypto does (MSP_ENOMEM); out is then
 * empty.
 */
enum msp_status secret_resume(const struct secret *s, const char *form_key,
			      char out[CRYPTO_SHA256_HEX],
			      struct msp_error *err);

/*
 * The code of the personal invitation link of the structure whose
 * pseudonym is pseudonym to the study study_slug, as 64 hex digits in
 * out.  Whoever holds it answers for that structure (and reads and
 * changes its answers to that study): it is given only to the
 * structure, in the fragment of its link.  Fails only if libcrypto does
 * (MSP_ENOMEM); out is then empty.
 */
enum msp_status secret_invitation(const struct secret *s,
				  const char *study_slug,
				  const char *pseudonym,
				  char out[CRYPTO_SHA256_HEX],
				  struct msp_error *err);

#endif
