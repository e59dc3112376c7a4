/*
 * crmsync contact plugin: free-text country and subdivision names to ISO
 * 3166 codes (see geo.h).
 *
 * Every name, code and alias in geo_data.h / geo_data_sub.h is normalised
 * once, on first use (pthread_once), into one sorted array of keys; a lookup
 * normalises its input the same way and binary-searches that array. After
 * the build nothing is written again.
 *
 * Normalisation (geo_norm): strict UTF-8 decoding (invalid input never
 * matches); ASCII letters are lower-cased; whitespace, periods, commas,
 * hyphens, underscores, apostrophes, quotes, parentheses and their
 * Unicode look-alikes (curly quotes, dashes, NBSP, ideographic space, the
 * katakana middle dot) are dropped, so word boundaries do not matter
 * ("N.Y." = "ny", "Tokyo-to" = "Tokyo to" = "Tokyoto"); '&' reads as "and";
 * Latin-1 and Latin Extended-A letters fold to ASCII ("é" -> "e",
 * "ō" -> "o", "ß" -> "ss"), combining marks are dropped (NFD input) and
 * full-width ASCII folds to ASCII. Anything else (kana, kanji, Cyrillic, ...)
 * is kept byte for byte. Slashes are kept on purpose: "N/A" is a common
 * placeholder and must not read as "NA" (Namibia).
 *
 * Two rows that share a key make it ambiguous: the key stays in the array
 * and resolves to NULL ("Korea" -> NULL, not KR).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "geo_data.h"
#include "geo_data_sub.h"

#define GEO_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes of input examined; longer text is not a country or state name. */
#define GEO_MAX_IN 256
/* Bytes of a normalised key (folding never lengthens by more than 3x). */
#define GEO_MAX_KEY (3 * GEO_MAX_IN + 4)

#define GEO_AMBIGUOUS UINT16_MAX

/* Slot 0 holds the countries, slots 1.. one subdivision table each. */
enum { GEO_SLOT_COUNTRY = 0, GEO_SLOT_US, GEO_SLOT_CA, GEO_SLOT_AU, GEO_SLOT_JP, GEO_NSLOTS };

static const char *const geo_slot_country[GEO_NSLOTS] = {NULL, "US", "CA", "AU", "JP"};

struct geo_key {
	const char *key;  /* normalised, NUL-terminated, in geo_pool */
	uint16_t slot;
	uint16_t row;     /* index in the slot's table, or GEO_AMBIGUOUS */
	uint16_t is_code; /* the key spells the row's code (alpha-2, "CA", "13") */
};

/* Written only by geo_build(), under pthread_once. */
static struct geo_key *geo_keys;
static char *geo_pool;
static size_t geo_nkeys;
static pthread_once_t geo_once = PTHREAD_ONCE_INIT;

/* ---- normalisation ---------------------------------------------------- */

/* Latin-1 Supplement U+00C0..U+00FF and Latin Extended-A U+0100..U+017F
 * folded to one lower-case ASCII letter; '*' marks the two-letter folds
 * handled in geo_fold(), '?' the two symbols (multiplication and division
 * signs) kept as they are. */
static const char geo_fold_c0[] = "aaaaaa*ceeeeiiiidnooooo?ouuuuy**"
				  "aaaaaa*ceeeeiiiidnooooo?ouuuuy*y";
static const char geo_fold_100[] = "aaaaaaccccccccdd" "ddeeeeeeeeeegggg"
				   "gggghhhhiiiiiiii" "ii**jjkkklllllll"
				   "lllnnnnnnnnnoooo" "oo**rrrrrrssssss"
				   "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and stores the code point, or returns 0 for an invalid sequence (overlong
 * forms, surrogates, values above U+10FFFF, truncation). */
static size_t geo_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t len;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xBF;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		len = 2;
		v = b & 0x1Fu;
	} else if (b >= 0xE0 && b <= 0xEF) {
		len = 3;
		v = b & 0x0Fu;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		len = 4;
		v = b & 0x07u;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3Fu);
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return len;
}

/* Separators and marks that normalisation drops. */
static int geo_dropped(uint32_t cp)
{
	if (cp < 0x80)
		return cp <= 0x20 || cp == 0x7F || strchr(".,-_'\"`()", (int)cp) != NULL;
	return cp == 0x00A0 || cp == 0x00B7 || cp == 0x02BB || cp == 0x02BC ||
	       (cp >= 0x0300 && cp <= 0x036F) ||   /* combining marks */
	       (cp >= 0x2000 && cp <= 0x200F) ||   /* spaces, ZWSP, marks */
	       (cp >= 0x2010 && cp <= 0x2015) ||   /* hyphens, dashes */
	       (cp >= 0x2018 && cp <= 0x201F) ||   /* curly quotes */
	       cp == 0x2032 || cp == 0x2212 || cp == 0x3000 || cp == 0x30FB ||
	       cp == 0xFEFF || cp == 0xFF65;
}

/* Appends the folded form of cp (orig: its len UTF-8 bytes) to out.
 * Returns 0 when out would overflow. */
static int geo_fold(uint32_t cp, const unsigned char *orig, size_t len, char *out, size_t *o, size_t cap)
{
	char tmp[3] = {0, 0, 0};
	const char *add = tmp;
	size_t n = 1;

	if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
		cp -= 0xFEE0;
	if (cp < 0x80) {
		if (geo_dropped(cp))
			return 1;
		if (cp == '&') {
			add = "and";
			n = 3;
		} else {
			tmp[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
		}
	} else if (geo_dropped(cp)) {
		return 1;
	} else if (cp >= 0xC0 && cp <= 0x17F) {
		char c = cp < 0x100 ? geo_fold_c0[cp - 0xC0] : geo_fold_100[cp - 0x100];

		if (c == '?') {
			add = (const char *)orig;
			n = len;
		} else if (c == '*') {
			n = 2;
			switch (cp) {
			case 0xC6: case 0xE6: add = "ae"; break;
			case 0xDE: case 0xFE: add = "th"; break;
			case 0xDF: add = "ss"; break;
			case 0x132: case 0x133: add = "ij"; break;
			default: add = "oe"; break; /* U+0152, U+0153 */
			}
		} else {
			tmp[0] = c;
		}
	} else if (cp >= 0x218 && cp <= 0x21B) { /* Romanian comma-below S, T */
		tmp[0] = cp < 0x21A ? 's' : 't';
	} else {
		add = (const char *)orig;
		n = len;
	}
	if (*o + n >= cap)
		return 0;
	memcpy(out + *o, add, n);
	*o += n;
	return 1;
}

/* Normalises text into out (cap bytes, NUL-terminated). Returns the key
 * length, or -1 when text is NULL, longer than GEO_MAX_IN bytes, invalid
 * UTF-8 or empty after normalisation. */
static long geo_norm(const char *text, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0, o = 0;

	if (!text)
		return -1;
	while (n <= GEO_MAX_IN && s[n])
		n++;
	if (n > GEO_MAX_IN)
		return -1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = geo_utf8(s + i, n - i, &cp);

		if (len == 0 || !geo_fold(cp, s + i, len, out, &o, cap))
			return -1;
		i += len;
	}
	out[o] = '\0';
	return o ? (long)o : -1;
}

/* ---- table build ------------------------------------------------------ */

struct geo_builder {
	struct geo_key *keys; /* NULL while counting */
	char *pool;
	size_t nkeys, pool_used;
};

static void geo_add(struct geo_builder *b, unsigned slot, size_t row, int is_code, const char *text)
{
	char buf[GEO_MAX_KEY];
	long n = geo_norm(text, buf, sizeof buf);

	if (n < 0)
		return;
	if (b->keys) {
		struct geo_key *k = &b->keys[b->nkeys];

		memcpy(b->pool + b->pool_used, buf, (size_t)n + 1);
		k->key = b->pool + b->pool_used;
		k->slot = (uint16_t)slot;
		k->row = (uint16_t)row;
		k->is_code = (uint16_t)(is_code != 0);
	}
	b->nkeys++;
	b->pool_used += (size_t)n + 1;
}

/* Adds the concatenation a + b (both short, from the tables). */
static void geo_add2(struct geo_builder *b, unsigned slot, size_t row, int is_code, const char *x, const char *y)
{
	char buf[GEO_MAX_IN + 1];
	size_t lx = strlen(x), ly = strlen(y);

	if (lx + ly > GEO_MAX_IN)
		return;
	memcpy(buf, x, lx);
	memcpy(buf + lx, y, ly + 1);
	geo_add(b, slot, row, is_code, buf);
}

/* Adds every '|'-separated alias of list. */
static void geo_add_list(struct geo_builder *b, unsigned slot, size_t row, const char *list)
{
	char buf[GEO_MAX_IN + 1];

	while (*list) {
		size_t len = strcspn(list, "|");

		if (len <= GEO_MAX_IN) {
			memcpy(buf, list, len);
			buf[len] = '\0';
			geo_add(b, slot, row, 0, buf);
		}
		list += len;
		if (*list == '|')
			list++;
	}
}

static const char *geo_jp_suffix_kanji(const char *suffix)
{
	if (strcmp(suffix, "to") == 0)
		return "都";
	if (strcmp(suffix, "do") == 0)
		return "道";
	if (strcmp(suffix, "fu") == 0)
		return "府";
	if (strcmp(suffix, "ken") == 0)
		return "県";
	return "";
}

static void geo_add_sub(struct geo_builder *b, unsigned slot, size_t row, const char *code, const char *name)
{
	geo_add(b, slot, row, 1, code);
	geo_add2(b, slot, row, 1, geo_slot_country[slot], code); /* "US-CA" */
	geo_add(b, slot, row, 0, name);
}

/* Runs twice: once to count keys and bytes (b->keys NULL), once to fill. */
static void geo_generate(struct geo_builder *b)
{
	static const struct {
		unsigned slot;
		const struct geo_sub *rows;
		size_t n;
	} tabs[] = {
		{GEO_SLOT_US, geo_sub_us, GEO_ARRAY_LEN(geo_sub_us)},
		{GEO_SLOT_CA, geo_sub_ca, GEO_ARRAY_LEN(geo_sub_ca)},
		{GEO_SLOT_AU, geo_sub_au, GEO_ARRAY_LEN(geo_sub_au)},
	};

	for (size_t i = 0; i < GEO_ARRAY_LEN(geo_countries); i++) {
		const struct geo_country *c = &geo_countries[i];

		geo_add(b, GEO_SLOT_COUNTRY, i, 1, c->a2);
		geo_add(b, GEO_SLOT_COUNTRY, i, 0, c->a3);
		geo_add(b, GEO_SLOT_COUNTRY, i, 0, c->name);
		geo_add_list(b, GEO_SLOT_COUNTRY, i, c->alias);
	}
	for (size_t t = 0; t < GEO_ARRAY_LEN(tabs); t++) {
		for (size_t i = 0; i < tabs[t].n; i++) {
			const struct geo_sub *s = &tabs[t].rows[i];

			geo_add_sub(b, tabs[t].slot, i, s->code, s->name);
			geo_add_list(b, tabs[t].slot, i, s->alias);
		}
	}
	for (size_t i = 0; i < GEO_ARRAY_LEN(geo_sub_jp); i++) {
		const struct geo_jp *p = &geo_sub_jp[i];
		const unsigned slot = GEO_SLOT_JP;

		geo_add_sub(b, slot, i, p->code, p->name);
		if (p->code[0] == '0') { /* "1" and "JP-1" for "01" */
			geo_add(b, slot, i, 1, p->code + 1);
			geo_add2(b, slot, i, 1, "JP", p->code + 1);
		}
		geo_add(b, slot, i, 0, p->romaji);
		geo_add(b, slot, i, 0, p->kanji);
		geo_add2(b, slot, i, 0, p->name, " Prefecture");
		geo_add2(b, slot, i, 0, p->name, " Pref");
		geo_add2(b, slot, i, 0, p->name, " Ken");
		if (p->suffix[0]) {
			geo_add2(b, slot, i, 0, p->kanji, geo_jp_suffix_kanji(p->suffix));
			geo_add2(b, slot, i, 0, p->name, p->suffix);   /* Tokyoto, Tokyo-to */
			geo_add2(b, slot, i, 0, p->romaji, p->suffix); /* Tōkyō-to */
		}
		geo_add_list(b, slot, i, p->alias);
	}
}

static int geo_cmp(const void *pa, const void *pb)
{
	const struct geo_key *a = pa, *b = pb;

	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	return strcmp(a->key, b->key);
}

static void geo_build(void)
{
	struct geo_builder b = {NULL, NULL, 0, 0};
	struct geo_key *keys;
	char *pool;
	size_t n = 0;

	geo_generate(&b);
	keys = malloc(b.nkeys * sizeof *keys);
	pool = malloc(b.pool_used);
	if (!keys || !pool) {
		free(keys);
		free(pool);
		return; /* every lookup returns NULL */
	}
	b = (struct geo_builder){keys, pool, 0, 0};
	geo_generate(&b);
	qsort(keys, b.nkeys, sizeof *keys, geo_cmp);

	/* Merge equal keys: same row -> one key (is_code if any was), rows
	 * differ -> one ambiguous key. */
	for (size_t i = 0; i < b.nkeys; n++) {
		struct geo_key k = keys[i++];

		for (; i < b.nkeys && geo_cmp(&k, &keys[i]) == 0; i++) {
			if (k.row != keys[i].row) {
				k.row = GEO_AMBIGUOUS;
				k.is_code = 0;
			} else if (k.row != GEO_AMBIGUOUS) {
				k.is_code |= keys[i].is_code;
			}
		}
		keys[n] = k;
	}
	geo_keys = keys;
	geo_pool = pool;
	geo_nkeys = n;
}

void geo_release(void)
{
	free(geo_keys);
	free(geo_pool);
	geo_keys = NULL;
	geo_pool = NULL;
	geo_nkeys = 0;
}

/* ---- lookups ---------------------------------------------------------- */

/* The key for (slot, text), or NULL when absent or ambiguous. */
static const struct geo_key *geo_find(unsigned slot, const char *text)
{
	char buf[GEO_MAX_KEY];
	struct geo_key probe;
	size_t lo = 0, hi;

	if (pthread_once(&geo_once, geo_build) != 0 || geo_norm(text, buf, sizeof buf) < 0)
		return NULL;
	probe.key = buf;
	probe.slot = (uint16_t)slot;
	hi = geo_nkeys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = geo_cmp(&probe, &geo_keys[mid]);

		if (c == 0)
			return geo_keys[mid].row == GEO_AMBIGUOUS ? NULL : &geo_keys[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* "The Netherlands", "the Gambia": retry without a leading English article. */
static const char *geo_skip_article(const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	if ((text[0] == 't' || text[0] == 'T') && (text[1] == 'h' || text[1] == 'H') &&
	    (text[2] == 'e' || text[2] == 'E') && (text[3] == ' ' || text[3] == '\t'))
		return text + 4;
	return NULL;
}

const char *geo_country_code(const char *text)
{
	const struct geo_key *k = geo_find(GEO_SLOT_COUNTRY, text);
	const char *rest;

	if (!k && text && (rest = geo_skip_article(text)) != NULL)
		k = geo_find(GEO_SLOT_COUNTRY, rest);
	return k ? geo_countries[k->row].a2 : NULL;
}

const char *geo_country_name(const char *alpha2)
{
	const struct geo_key *k = geo_find(GEO_SLOT_COUNTRY, alpha2);

	return k && k->is_code ? geo_countries[k->row].name : NULL;
}

/* The subdivision slot for a country given as any accepted text, or 0. */
static unsigned geo_sub_slot(const char *country)
{
	const char *a2 = geo_country_code(country);

	for (unsigned s = 1; a2 && s < GEO_NSLOTS; s++)
		if (strcmp(a2, geo_slot_country[s]) == 0)
			return s;
	return 0;
}

static const char *geo_sub_field(unsigned slot, size_t row, int want_name)
{
	switch (slot) {
	case GEO_SLOT_US:
		return want_name ? geo_sub_us[row].name : geo_sub_us[row].code;
	case GEO_SLOT_CA:
		return want_name ? geo_sub_ca[row].name : geo_sub_ca[row].code;
	case GEO_SLOT_AU:
		return want_name ? geo_sub_au[row].name : geo_sub_au[row].code;
	case GEO_SLOT_JP:
		return want_name ? geo_sub_jp[row].name : geo_sub_jp[row].code;
	default:
		return NULL;
	}
}

const char *geo_state_code(const char *country_alpha2, const char *text)
{
	unsigned slot = geo_sub_slot(country_alpha2);
	const struct geo_key *k = slot ? geo_find(slot, text) : NULL;

	return k ? geo_sub_field(slot, k->row, 0) : NULL;
}

const char *geo_state_name(const char *country_alpha2, const char *code)
{
	unsigned slot = geo_sub_slot(country_alpha2);
	const struct geo_key *k = slot ? geo_find(slot, code) : NULL;

	return k && k->is_code ? geo_sub_field(slot, k->row, 1) : NULL;
}
