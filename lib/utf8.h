/*
 * utf8 — the two questions the project asks of UTF-8 text: is it valid
 * (input from outside), and how many characters long (what an item's
 * max_length counts, as PostgreSQL's length() does).
 */
#ifndef MSP_UTF8_H
#define MSP_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 prefix of s[0..len): len when all of s is
 * valid (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF).
 */
size_t utf8_valid_prefix(const char *s, size_t len);

/*
 * Decodes the code point at s (RFC 3629 §3: no overlongs, no
 * surrogates, at most U+10FFFF) into *cp and returns its length in
 * bytes, 1 to 4; 0 for an invalid sequence.  s is NUL-terminated: a
 * NUL is no continuation byte, so no read passes it.
 */
size_t utf8_decode(const unsigned char *s, uint32_t *cp);

/* Characters (code points) in the valid UTF-8 string s. */
size_t utf8_length(const char *s);

#endif
