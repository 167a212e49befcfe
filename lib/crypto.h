/*
 * crypto — the project's only door to OpenSSL's libcrypto.
 */
#ifndef MSP_CRYPTO_H
#define MSP_CRYPTO_H

#include <stddef.h>

#include "msp_error.h"

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SHA256_HEX (2 * CRYPTO_SHA256_LEN + 1)

/*
 * Writes the lower-case hex SHA-256 of data[0..len) into hex, which
 * holds CRYPTO_SHA256_HEX bytes (NUL included).  Fails only if
 * libcrypto does (MSP_ENOMEM); hex is then an empty string.
 */
enum msp_status crypto_sha256_hex(const void *data, size_t len,
				  char hex[CRYPTO_SHA256_HEX],
				  struct msp_error *err);

/*
 * Writes the lower-case hex HMAC-SHA256 of msg[0..msglen) under key into
 * hex (CRYPTO_SHA256_HEX bytes).  Pseudonyms of structures are made this
 * way from a server secret, so that a direct identifier is never stored.
 * Fails only if libcrypto does (MSP_ENOMEM); hex is then empty.
 */
enum msp_status crypto_hmac_sha256_hex(const void *key, size_t keylen,
				       const void *msg, size_t msglen,
				       char hex[CRYPTO_SHA256_HEX],
				       struct msp_error *err);

/* Lower-case hex of bin[0..len) into hex (2 * len + 1 bytes). */
void crypto_hex(const unsigned char *bin, size_t len, char *hex);

/*
 * Fills hex (2 * nbytes + 1 bytes) with nbytes from the CSPRNG
 * (RAND_bytes), in hex.  Fails with MSP_EIO if the generator cannot be
 * seeded; hex is then empty.
 */
enum msp_status crypto_random_hex(size_t nbytes, char *hex,
				  struct msp_error *err);

/* Whether a[0..len) equals b[0..len), in time independent of where
 * they differ (CRYPTO_memcmp). */
int crypto_equal(const void *a, const void *b, size_t len);

/* Wipes a secret from memory in a way the compiler cannot remove. */
void crypto_cleanse(void *p, size_t len);

#endif
