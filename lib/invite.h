/*
 * invite — what a personal invitation says: the link that opens a
 * structure's form (fcgi/forms.c), and the text of the invitation and
 * of the reminder that carry it (msp-report invite and remind).
 *
 * The link is BASE/forms/SLUG?invitation#invitation=CODE, CODE from
 * secret_invitation().  The code is in the fragment, which browsers
 * never send: it reaches no server log; the page's script posts it.
 */
#ifndef MSP_INVITE_H
#define MSP_INVITE_H

#include "buf.h"
#include "crypto.h"
#include "msp_error.h"

/*
 * Appends the link of code to study slug under base_url (the public
 * address of the site, "https://enquete.example.fr", a trailing '/'
 * allowed).  Fails with MSP_EINVAL when base_url is not an http(s) URL
 * without query or fragment; MSP_ENOMEM.
 */
enum msp_status invite_link(struct buf *out, const char *base_url,
			    const char *slug, const char *code,
			    struct msp_error *err);

enum invite_kind { INVITE_INVITATION, INVITE_REMINDER };

/*
 * Appends the subject (one line, no newline) and the body (lines ending
 * in \n) of an invitation or a reminder to study title, answerable by
 * link until closes_on ("YYYY-MM-DD", or NULL: no date said).  Fails
 * with MSP_ENOMEM only.
 */
enum msp_status invite_text(struct buf *subject, struct buf *body,
			    enum invite_kind kind, const char *title,
			    const char *link, const char *closes_on,
			    struct msp_error *err);

#endif
