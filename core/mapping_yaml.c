/*
 * mapping_yaml.c - the bounded YAML tree of mapping_yaml.h, built from
 * libyaml events. Limits are checked before (size, NUL, UTF-8) and while
 * (depth, node count, anchors, aliases, tags) parsing, so that no input
 * can make it use more than a small multiple of MAPPING_MAX_FILE of memory
 * or recurse deeply. Must not log.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mapping.h"
#include "mapping_yaml.h"

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_MAP "tag:yaml.org,2002:map"
#define TAG_SEQ "tag:yaml.org,2002:seq"

/* 1-based line and column (in code points) of byte offset off. */
static void locate(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Offset of the first byte that is not valid UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		unsigned long cp;

		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xC2 && b <= 0xDF) {
			n = 1;
			cp = b & 0x1F;
		} else if (b >= 0xE0 && b <= 0xEF) {
			n = 2;
			cp = b & 0x0F;
		} else if (b >= 0xF0 && b <= 0xF4) {
			n = 3;
			cp = b & 0x07;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

int ynode_is_null(const struct ynode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->kind != YNODE_SCALAR || !n->plain)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++) {
		if (!strcmp(n->s, nulls[i]))
			return 1;
	}
	return 0;
}

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

struct builder {
	const char *name;
	const char *buf;
	size_t len;
	struct errlist *errs;
	struct ynode *root;
	struct ynode *stack[MAPPING_MAX_DEPTH + 1];
	size_t depth;
	size_t nodes;
	int fatal;
};

static void berr(struct builder *b, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void berr(struct builder *b, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errlist_add(b->errs, "%s:%zu:%zu: %s", b->name, mark.line + 1, mark.column + 1, msg);
	free(msg);
}

static struct ynode *add_node(struct builder *b, enum ynode_kind kind, yaml_mark_t mark)
{
	struct ynode *n;

	if (++b->nodes > MAPPING_MAX_NODES) {
		berr(b, mark, "more than %d values in one file: a mapping file is never this "
			      "big (is it the right file?)", MAPPING_MAX_NODES);
		b->fatal = 1;
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)mark.line + 1;
	n->col = (unsigned)mark.column + 1;
	if (!b->depth) {
		if (b->root) { /* cannot happen with one document; be safe */
			ynode_free(n);
			b->fatal = 1;
			return NULL;
		}
		b->root = n;
	} else {
		struct ynode *p = b->stack[b->depth - 1];

		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 8;
			p->kids = xrealloc(p->kids, p->cap * sizeof(*p->kids));
		}
		p->kids[p->n++] = n;
	}
	return n;
}

static void check_anchor_tag(struct builder *b, yaml_mark_t mark, const yaml_char_t *anchor,
			     const yaml_char_t *tag, const char *ok_tag, int *tagged)
{
	if (anchor)
		berr(b, mark, "anchor '&%s' is not allowed in a mapping file (anchors and "
			      "aliases are refused: write each value out in full)",
		     (const char *)anchor);
	*tagged = 0;
	if (tag) {
		if (strcmp((const char *)tag, ok_tag))
			berr(b, mark, "tag '%s' is not allowed in a mapping file (remove it; quote "
				      "a value to keep it a string)", (const char *)tag);
		*tagged = 1;
	}
}

static void on_event(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	int tagged;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		check_anchor_tag(b, ev->start_mark, ev->data.scalar.anchor, ev->data.scalar.tag,
				 TAG_STR, &tagged);
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
			berr(b, ev->start_mark, "a value holds a NUL character (\\0): remove it");
			b->fatal = 1;
			return;
		}
		if (!(n = add_node(b, YNODE_SCALAR, ev->start_mark)))
			return;
		n->s = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tagged;
		break;
	case YAML_ALIAS_EVENT:
		berr(b, ev->start_mark, "alias '*%s' is not allowed in a mapping file (anchors "
					"and aliases are refused: write the value out in full)",
		     (const char *)ev->data.alias.anchor);
		if ((n = add_node(b, YNODE_ALIAS, ev->start_mark)))
			n->s = xstrdup("");
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int seq = ev->type == YAML_SEQUENCE_START_EVENT;

		if (b->depth == MAPPING_MAX_DEPTH) {
			berr(b, ev->start_mark, "nesting deeper than %d levels: a mapping file "
						"needs 5", MAPPING_MAX_DEPTH);
			b->fatal = 1;
			return;
		}
		if (seq)
			check_anchor_tag(b, ev->start_mark, ev->data.sequence_start.anchor,
					 ev->data.sequence_start.tag, TAG_SEQ, &tagged);
		else
			check_anchor_tag(b, ev->start_mark, ev->data.mapping_start.anchor,
					 ev->data.mapping_start.tag, TAG_MAP, &tagged);
		if (!(n = add_node(b, seq ? YNODE_SEQ : YNODE_MAP, ev->start_mark)))
			return;
		b->stack[b->depth++] = n;
		break;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			b->depth--;
		break;
	default:
		break;
	}
}

static const char *hint_for(const struct builder *b, const yaml_parser_t *p)
{
	const char *s = b->buf;
	size_t line = 0;
	size_t i = 0;

	/* the character at the problem mark (line/column in code points) */
	while (i < b->len && line < p->problem_mark.line) {
		if (s[i++] == '\n')
			line++;
	}
	for (size_t col = 0; i < b->len && col < p->problem_mark.column; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
		if (s[i] == '\n')
			break;
	}
	while (i < b->len && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	if (i < b->len && s[i] == '\t')
		return " (YAML cannot indent with tabs: use spaces)";
	if (p->context && strstr(p->context, "quoted scalar"))
		return " (a quote is not closed)";
	if (p->problem && (strstr(p->problem, "',' or '}'") || strstr(p->problem, "',' or ']'")))
		return " (a '{' or '[' is not closed)";
	if (p->problem && strstr(p->problem, "mapping values are not allowed"))
		return " (quote a value that contains ': ', or check the indentation)";
	if (p->problem && strstr(p->problem, "did not find expected"))
		return " (check the indentation of this line and the one above)";
	return " (check the YAML syntax here)";
}

static void report_yaml_error(struct builder *b, const yaml_parser_t *p)
{
	unsigned line, col;

	switch (p->error) {
	case YAML_READER_ERROR:
		locate(b->buf, b->len, p->problem_offset, &line, &col);
		errlist_add(b->errs, "%s:%u:%u: %s", b->name, line, col,
			    p->problem ? p->problem : "cannot read the file");
		break;
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		if (p->context)
			errlist_add(b->errs, "%s:%zu:%zu: %s, %s at %zu:%zu%s", b->name,
				    p->problem_mark.line + 1, p->problem_mark.column + 1,
				    p->problem ? p->problem : "syntax error", p->context,
				    p->context_mark.line + 1, p->context_mark.column + 1,
				    hint_for(b, p));
		else
			errlist_add(b->errs, "%s:%zu:%zu: %s%s", b->name,
				    p->problem_mark.line + 1, p->problem_mark.column + 1,
				    p->problem ? p->problem : "syntax error", hint_for(b, p));
		break;
	default:
		errlist_add(b->errs, "%s:1:1: the YAML parser failed (%s)", b->name,
			    p->problem ? p->problem : "out of memory");
		break;
	}
}

int ynode_parse(const char *name, const char *buf, size_t len, struct ynode **root,
		struct errlist *errs)
{
	struct builder b = { .name = name, .buf = buf, .len = len, .errs = errs };
	yaml_parser_t parser;
	const char *nul;
	size_t bad;
	unsigned line, col;
	int docs = 0, done = 0;

	*root = NULL;
	if (len > MAPPING_MAX_FILE) {
		errlist_add(errs, "%s: the file is larger than the %d-byte limit of a mapping "
				  "file (split it per object, or remove unused entries)", name,
			    MAPPING_MAX_FILE);
		return -EINVAL;
	}
	if ((nul = memchr(buf, '\0', len))) {
		locate(buf, len, (size_t)(nul - buf), &line, &col);
		errlist_add(errs, "%s:%u:%u: the file holds a NUL byte: a mapping file is UTF-8 "
				  "text (is it the right file?)", name, line, col);
		return -EINVAL;
	}
	if ((bad = utf8_invalid_at((const unsigned char *)buf, len)) < len) {
		locate(buf, len, bad, &line, &col);
		errlist_add(errs, "%s:%u:%u: invalid UTF-8 (byte 0x%02x): save the file as "
				  "UTF-8", name, line, col, (unsigned char)buf[bad]);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser)) {
		errlist_add(errs, "%s: cannot start the YAML parser: out of memory", name);
		return -ENOMEM;
	}
	/* a UTF-8 byte order mark is allowed; libyaml keeps it as content once
	 * the encoding is set, so skip it here */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
		b.buf = buf; /* libyaml's marks count from here */
		b.len = len;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !b.fatal) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			report_yaml_error(&b, &parser);
			b.fatal = 1;
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			berr(&b, ev.start_mark, "a second YAML document ('---'): a mapping file "
						"holds one; put each object in its own file");
			b.fatal = 1;
		} else if (ev.type == YAML_STREAM_END_EVENT) {
			done = 1;
		} else {
			on_event(&b, &ev);
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (b.fatal) {
		ynode_free(b.root);
		return -EINVAL;
	}
	*root = b.root;
	return 0;
}
