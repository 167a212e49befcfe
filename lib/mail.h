/*
 * mail — e-mail messages, and sending them through an SMTP relay with
 * libcurl (the invitations and reminders of msp-report invite/remind).
 *
 * The relay is configuration, never command-line text (a password on a
 * command line is in every ps listing):
 *	MSP_SMTP_URL		smtp://host[:port] (STARTTLS when the relay
 *				offers it, required with credentials) or
 *				smtps://host[:port] (TLS from the start)
 *	MSP_SMTP_FROM		the sender's address
 *	MSP_SMTP_USER		optional: the relay's user name
 *	MSP_SMTP_PASSWORD_FILE	optional: a file holding its password
 *
 * Recipients' addresses come from the federation's own file at send
 * time; this module keeps none and puts none in an error message (a
 * refusal says the relay's reply code, not whom it was for).
 */
#ifndef MSP_MAIL_H
#define MSP_MAIL_H

#include <stddef.h>

#include "buf.h"
#include "msp_error.h"

/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets, <> included. */
#define MAIL_ADDRESS_MAX 254

/*
 * Whether s is an address this module sends to: printable ASCII without
 * blanks, quotes, angle brackets or commas, one '@' with text on both
 * sides, at most MAIL_ADDRESS_MAX bytes.  Stricter than RFC 5322 (no
 * quoted local parts, no display names) on purpose: what reaches a
 * header or an SMTP command can then carry no CR, LF or second
 * address.
 */
int mail_address_valid(const char *s);

/*
 * Appends to out one message (RFC 5322) from from to to, with subject
 * (UTF-8, written as an RFC 2047 encoded word) and body (UTF-8 text,
 * lines ending in \n, each at most 900 bytes), sent as 8-bit text with
 * CRLF line ends; a Date (UTC) and a random Message-ID.  Fails with
 * MSP_EINVAL when an address is not valid (mail_address_valid) or a
 * body line is too long; MSP_ENOMEM.
 */
enum msp_status mail_compose(struct buf *out, const char *from,
			     const char *to, const char *subject,
			     const char *body, struct msp_error *err);

struct mail_relay;

/*
 * The relay the environment names (above), ready to send; *out is the
 * caller's (mail_relay_close).  Fails with MSP_ECONFIG when
 * MSP_SMTP_URL or MSP_SMTP_FROM is missing or wrong, or the password
 * file cannot be read; MSP_ENOMEM.
 */
enum msp_status mail_relay_open(struct mail_relay **out,
				struct msp_error *err);

/* The sender's address (MSP_SMTP_FROM), borrowed from relay. */
const char *mail_relay_from(const struct mail_relay *relay);

/*
 * Sends message (mail_compose's) to to through relay, reusing its
 * connection.  Fails with MSP_EINVAL for an address that is not valid;
 * MSP_EIO when the relay cannot be reached or refuses (the message
 * says curl's reason and the relay's reply code).
 */
enum msp_status mail_send(struct mail_relay *relay, const char *to,
			  const struct buf *message, struct msp_error *err);

/* Closes the connection and wipes the password; NULL is allowed. */
void mail_relay_close(struct mail_relay *relay);

#endif
