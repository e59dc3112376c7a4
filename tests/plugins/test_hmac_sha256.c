/*
 * test_hmac_sha256 - the SHA-256 and HMAC-SHA256 the webhook notifier signs
 * with, against the published vectors: FIPS 180-4 examples (NIST CSRC
 * "Example Algorithms", SHA256.pdf and the one-million-'a' message) and
 * RFC 4231 test cases 1-7; plus split updates, hex and the constant-time
 * comparison.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../plugins/notifiers/common/hmac_sha256.h"

static void check_hex(const uint8_t *digest, size_t n, const char *expect)
{
	char hex[SHA256_HEX_SIZE];

	hex_encode(digest, n, hex);
	assert_string_equal(hex, expect);
}

static void test_sha256_fips(void **state)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256 s;
	char block[1000];

	sha256("", 0, d);
	check_hex(d, sizeof(d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, d);
	check_hex(d, sizeof(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* two blocks: the padding spills into a second one */
	sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	check_hex(d, sizeof(d), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(block, 'a', sizeof(block));
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, block, sizeof(block));
	sha256_final(&s, d);
	check_hex(d, sizeof(d), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Any split of the input gives the digest of the whole. */
static void test_sha256_split(void **state)
{
	uint8_t msg[300], whole[SHA256_DIGEST_SIZE], part[SHA256_DIGEST_SIZE];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 0; len <= sizeof(msg); len += 17) {
		sha256(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut += 5) {
			struct sha256 s;

			sha256_init(&s);
			sha256_update(&s, msg, cut);
			sha256_update(&s, msg + cut, 0);
			sha256_update(&s, msg + cut, len - cut);
			sha256_final(&s, part);
			assert_memory_equal(whole, part, sizeof(whole));
		}
	}
}

struct vector {
	uint8_t key[131];
	size_t key_len;
	const char *data;
	uint8_t data_bin[50];
	size_t data_len;
	const char *mac;
	size_t mac_len;     /* bytes compared (case 5 is truncated to 128 bits) */
};

static void test_hmac_rfc4231(void **state)
{
	static struct vector v[7];
	uint8_t mac[SHA256_DIGEST_SIZE];

	memset(v, 0, sizeof(v));
	/* 1 */
	memset(v[0].key, 0x0b, 20), v[0].key_len = 20;
	v[0].data = "Hi There";
	v[0].mac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
	/* 2: a key shorter than the output */
	memcpy(v[1].key, "Jefe", 4), v[1].key_len = 4;
	v[1].data = "what do ya want for nothing?";
	v[1].mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
	/* 3 */
	memset(v[2].key, 0xaa, 20), v[2].key_len = 20;
	memset(v[2].data_bin, 0xdd, 50), v[2].data_len = 50;
	v[2].mac = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
	/* 4 */
	for (int i = 0; i < 25; i++)
		v[3].key[i] = (uint8_t)(i + 1);
	v[3].key_len = 25;
	memset(v[3].data_bin, 0xcd, 50), v[3].data_len = 50;
	v[3].mac = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
	/* 5: truncated to 128 bits */
	memset(v[4].key, 0x0c, 20), v[4].key_len = 20;
	v[4].data = "Test With Truncation";
	v[4].mac = "a3b6167473100ee06e0c796c2955552b";
	v[4].mac_len = 16;
	/* 6, 7: keys longer than a block are hashed first */
	memset(v[5].key, 0xaa, 131), v[5].key_len = 131;
	v[5].data = "Test Using Larger Than Block-Size Key - Hash Key First";
	v[5].mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
	memset(v[6].key, 0xaa, 131), v[6].key_len = 131;
	v[6].data = "This is a test using a larger than block-size key and a larger than "
		    "block-size data. The key needs to be hashed before being used by the HMAC "
		    "algorithm.";
	v[6].mac = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";

	for (size_t i = 0; i < 7; i++) {
		const void *data = v[i].data ? (const void *)v[i].data : v[i].data_bin;
		size_t len = v[i].data ? strlen(v[i].data) : v[i].data_len;

		hmac_sha256(v[i].key, v[i].key_len, data, len, mac);
		check_hex(mac, v[i].mac_len ? v[i].mac_len : sizeof(mac), v[i].mac);
	}
}

static void test_ct_equal(void **state)
{
	assert_int_equal(ct_equal("abcdef", "abcdef", 6), 1);
	assert_int_equal(ct_equal("abcdef", "abcdeF", 6), 0);
	assert_int_equal(ct_equal("Xbcdef", "abcdef", 6), 0);
	assert_int_equal(ct_equal("", "", 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_sha256_split),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_ct_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
