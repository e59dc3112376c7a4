/*
 * hmac_sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written
 * for the webhook notifier (it signs what it sends) and for the test
 * receiver (it verifies). Compiled into each of them: the symbols are
 * hidden, so a plugin exports nothing but its descriptor. Not a general
 * crypto library: no streaming HMAC, no other hashes.
 */
#ifndef CRMSYNC_HMAC_SHA256_H
#define CRMSYNC_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define CRMSYNC_HIDDEN __attribute__((visibility("hidden")))
#else
#define CRMSYNC_HIDDEN
#endif

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64
/* Lowercase hex of a digest, NUL-terminated. */
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t total;                         /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_SIZE];
	size_t used;                            /* bytes waiting in block */
};

CRMSYNC_HIDDEN void sha256_init(struct sha256 *s);
CRMSYNC_HIDDEN void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest and wipes the state. */
CRMSYNC_HIDDEN void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
CRMSYNC_HIDDEN void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/* HMAC-SHA256 of msg under key (any length; longer than a block is hashed
 * first, as RFC 2104 says). Intermediate key material is wiped. */
CRMSYNC_HIDDEN void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
				uint8_t out[SHA256_DIGEST_SIZE]);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
CRMSYNC_HIDDEN void hex_encode(const uint8_t *in, size_t n, char *out);

/* 1 when a and b (n bytes each) are equal, else 0; the time taken does not
 * depend on where they differ. */
CRMSYNC_HIDDEN int ct_equal(const void *a, const void *b, size_t n);

#endif
