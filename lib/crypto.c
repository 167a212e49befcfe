#include "config.h"

#include <limits.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

void
crypto_hex(const unsigned char *bin, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0xf];
	}
	hex[2 * len] = '\0';
}

enum msp_status
crypto_sha256_hex(const void *data, size_t len, char hex[CRYPTO_SHA256_HEX],
		  struct msp_error *err)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	unsigned int mdlen = 0;

	hex[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return msp_error_set(err, MSP_ENOMEM, "SHA-256 failed");
	crypto_hex(md, sizeof(md), hex);
	return MSP_OK;
}

enum msp_status
crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *msg,
		       size_t msglen, char hex[CRYPTO_SHA256_HEX],
		       struct msp_error *err)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	unsigned int mdlen = 0;

	hex[0] = '\0';
	if (keylen > INT_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, md,
		 &mdlen) == NULL || mdlen != sizeof(md))
		return msp_error_set(err, MSP_ENOMEM, "HMAC-SHA256 failed");
	crypto_hex(md, sizeof(md), hex);
	return MSP_OK;
}

enum msp_status
crypto_random_hex(size_t nbytes, char *hex, struct msp_error *err)
{
	unsigned char bin[64];

	hex[0] = '\0';
	if (nbytes > sizeof(bin))
		return msp_error_set(err, MSP_EINVAL,
				     "at most %zu random bytes", sizeof(bin));
	if (RAND_bytes(bin, (int)nbytes) != 1)
		return msp_error_set(err, MSP_EIO,
				     "the random generator failed");
	crypto_hex(bin, nbytes, hex);
	OPENSSL_cleanse(bin, sizeof(bin));
	return MSP_OK;
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
crypto_cleanse(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
