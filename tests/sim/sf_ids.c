/*
 * crmsync-sim, Salesforce side: record ids.
 *
 * 15-char case-sensitive ids with their real 3-char key prefix, extended to
 * 18 chars with the case-safe checksum Salesforce appends: for each 5-char
 * chunk, a 5-bit mask of which characters are upper-case letters, mapped
 * through "A..Z0..5". Must not know about records or the store.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sf.h"

static const char sf_b62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char sf_sfx[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

void sf_id_suffix(const char *id15, char out[3])
{
	for (int chunk = 0; chunk < 3; chunk++) {
		unsigned bits = 0;
		for (int i = 0; i < 5; i++) {
			char c = id15[chunk * 5 + i];
			if (c >= 'A' && c <= 'Z')
				bits |= 1u << i;
		}
		out[chunk] = sf_sfx[bits];
	}
}

static int sf_is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int sf_id_norm(const char *in, char out[19])
{
	size_t len;
	char sfx[3];

	if (!in)
		return -EINVAL;
	len = strlen(in);
	if (len != 15 && len != 18)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!sf_is_alnum(in[i]))
			return -EINVAL;
	memcpy(out, in, 15);
	sf_id_suffix(in, sfx);
	if (len == 18) {
		/* the suffix is case-insensitive on input; a wrong one is invalid */
		for (int i = 0; i < 3; i++) {
			char c = in[15 + i];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c != sfx[i])
				return -EINVAL;
		}
	}
	memcpy(out + 15, sfx, 3);
	out[18] = '\0';
	return 0;
}

void sf_id_make(const char *prefix, uint64_t n, char out[19])
{
	char sfx[3];

	/* prefix (3) + instance "5g" + reserved "0000" + 6 base-62 digits */
	memcpy(out, prefix, 3);
	memcpy(out + 3, "5g0000", 6);
	for (int i = 14; i >= 9; i--) {
		out[i] = sf_b62[n % 62];
		n /= 62;
	}
	sf_id_suffix(out, sfx);
	memcpy(out + 15, sfx, 3);
	out[18] = '\0';
}
