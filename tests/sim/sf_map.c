/*
 * crmsync-sim, Salesforce side: an open-addressing string hash map (keys
 * copied, values borrowed) and record vectors for the field indexes.
 * Plain containers only: no knowledge of records' contents.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

struct sf_slot {
	char *key;      /* NULL: empty; sf_tomb: deleted */
	void *val;
	uint64_t hash;
};

struct sf_map {
	struct sf_slot *slots;
	size_t cap, used, live;
};

static char sf_tomb_mark;
#define sf_tomb (&sf_tomb_mark)

static uint64_t sf_hash(const char *k)
{
	uint64_t h = 1469598103934665603ull;
	while (*k) {
		h ^= (unsigned char)*k++;
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

struct sf_map *sf_map_new(void)
{
	struct sf_map *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void sf_map_free(struct sf_map *m, void (*free_val)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		struct sf_slot *sl = &m->slots[i];
		if (sl->key && sl->key != sf_tomb) {
			if (free_val)
				free_val(sl->val);
			free(sl->key);
		}
	}
	free(m->slots);
	free(m);
}

static struct sf_slot *sf_map_find(const struct sf_map *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct sf_slot *sl = &m->slots[i];
		if (!sl->key)
			return NULL;
		if (sl->key != sf_tomb && sl->hash == h && strcmp(sl->key, key) == 0)
			return sl;
	}
}

void *sf_map_get(const struct sf_map *m, const char *key)
{
	struct sf_slot *sl = sf_map_find(m, key, sf_hash(key));
	return sl ? sl->val : NULL;
}

static int sf_map_grow(struct sf_map *m)
{
	size_t ncap = m->live * 4 > m->cap ? m->cap * 2 : m->cap;
	struct sf_slot *old = m->slots;
	size_t ocap = m->cap;

	m->slots = calloc(ncap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = ncap;
	m->used = m->live;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].key || old[i].key == sf_tomb)
			continue;
		size_t j = old[i].hash & (ncap - 1);
		while (m->slots[j].key)
			j = (j + 1) & (ncap - 1);
		m->slots[j] = old[i];
	}
	free(old);
	return 0;
}

int sf_map_put(struct sf_map *m, const char *key, void *val)
{
	uint64_t h = sf_hash(key);
	struct sf_slot *sl = sf_map_find(m, key, h);
	size_t mask;

	if (sl) {
		sl->val = val;
		return 0;
	}
	if ((m->used + 1) * 4 > m->cap * 3 && sf_map_grow(m) < 0)
		return -ENOMEM;
	mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		sl = &m->slots[i];
		if (!sl->key || sl->key == sf_tomb) {
			char *k = strdup(key);
			if (!k)
				return -ENOMEM;
			if (!sl->key)
				m->used++;
			sl->key = k;
			sl->val = val;
			sl->hash = h;
			m->live++;
			return 0;
		}
	}
}

void *sf_map_del(struct sf_map *m, const char *key)
{
	struct sf_slot *sl = sf_map_find(m, key, sf_hash(key));
	void *v;

	if (!sl)
		return NULL;
	v = sl->val;
	free(sl->key);
	sl->key = sf_tomb;
	sl->val = NULL;
	m->live--;
	return v;
}

int sf_vec_push(struct sf_vec *v, struct sf_rec *r)
{
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 2;
		struct sf_rec **nv = realloc(v->v, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = ncap;
	}
	v->v[v->n++] = r;
	return 0;
}

void sf_vec_remove(struct sf_vec *v, const struct sf_rec *r)
{
	for (size_t i = 0; i < v->n; i++) {
		if (v->v[i] == r) {
			memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(*v->v));
			v->n--;
			return;
		}
	}
}

void sf_vec_free(void *p)
{
	struct sf_vec *v = p;
	if (!v)
		return;
	free(v->v);
	free(v);
}
