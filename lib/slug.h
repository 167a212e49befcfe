/*
 * slug — the names regions, federations, studies and instruments are
 * known by in URLs and on the command line ("occitanie-2024").
 *
 * One rule, the schema's CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$') plus
 * PostgreSQL's identifier-like length: what the CLI accepts as an
 * argument and what an XLSForm's form_id may be are the same thing, so
 * that an instrument imported from a file can be named by study create.
 */
#ifndef MSP_SLUG_H
#define MSP_SLUG_H

/* The longest slug, in bytes (all ASCII). */
#define SLUG_MAX 63

/* Whether s is a slug: lower-case ASCII letters and digits in runs
 * joined by single hyphens, 1 to SLUG_MAX characters. */
int slug_valid(const char *s);

#endif
