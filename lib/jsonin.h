/*
 * jsonin — JSON from outside, checked before json-c sees it.
 *
 * json-c accepts what RFC 8259 leaves to implementations and what an
 * attacker would like: duplicate member names (the last one silently
 * wins, so a validator and a store can disagree about a value), any
 * nesting depth, and, without a flag, invalid UTF-8.  jsonin_parse()
 * first walks the text with a strict RFC 8259 grammar that refuses all
 * three, then lets json-c build the tree.
 */
#ifndef MSP_JSONIN_H
#define MSP_JSONIN_H

#include <stddef.h>

#include <json-c/json.h>

#include "msp_error.h"

/* Deepest nesting of arrays and objects accepted. */
#define JSONIN_MAX_DEPTH 16

/*
 * Parses len bytes of text (no NUL needed) into *out, which the caller
 * json_object_put()s; the text "null" gives NULL, json-c's null.  Fails
 * with MSP_EINVAL and a message giving the byte offset and what is
 * wrong ("byte 17: duplicate member \"a\""), or MSP_ENOMEM; *out is
 * then NULL.
 */
enum msp_status jsonin_parse(const char *text, size_t len,
			     struct json_object **out,
			     struct msp_error *err);

#endif
