/*
 * mapping_yaml.h - a small, bounded YAML tree for the mapping parser (private
 * to core/mapping*.c). The builder refuses what a mapping file never needs
 * and an attacker would use: more than MAPPING_MAX_FILE bytes, NUL bytes,
 * invalid UTF-8, nesting past MAPPING_MAX_DEPTH, more than MAPPING_MAX_NODES
 * nodes, anchors, aliases, tags other than !!str, and more than one
 * document.
 */
#ifndef CRMSYNC_MAPPING_YAML_H
#define CRMSYNC_MAPPING_YAML_H

#include <stddef.h>

#include "util.h"

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ, YNODE_ALIAS };

struct ynode {
	enum ynode_kind kind;
	char *s;              /* scalar text, NUL-terminated (never NULL for scalars) */
	size_t len;
	int plain;            /* an unquoted, untagged scalar */
	unsigned line, col;   /* 1-based */
	struct ynode **kids;  /* MAP: key, value, key, value...; SEQ: items */
	size_t n, cap;
};

/*
 * Build the tree of buf. Returns 0 with *root (NULL for an empty file; free
 * with ynode_free) — possibly after appending errors for anchors, aliases
 * (replaced by YNODE_ALIAS nodes) or tags — or -EINVAL with *root NULL when
 * the file cannot be read at all (syntax, encoding, limits). Every error is
 * "NAME:LINE:COL: message".
 */
int ynode_parse(const char *name, const char *buf, size_t len, struct ynode **root,
		struct errlist *errs);
void ynode_free(struct ynode *n);
/* A plain scalar spelling null: "", "~", "null", "Null", "NULL". */
int ynode_is_null(const struct ynode *n);

#endif
