/*
 * tally — see tally.h.  Linear probing at most half full, so a lookup
 * ends within a few slots; the table doubles when it would not be.
 */
#include "config.h"

#include <stdlib.h>

#include "tally.h"

static size_t
slot_of(const struct tally *t, uint32_t item, int kind, int64_t value)
{
	uint64_t h = (uint64_t)value * 0x9E3779B97F4A7C15u;

	h ^= ((uint64_t)item << 8 | (uint64_t)kind) * 0xC2B2AE3D27D4EB4Fu;
	h ^= h >> 29;
	return (size_t)(h & (t->cap - 1));
}

/* The slot holding the key, or the free slot where it would go. */
static struct tally_entry *
find(const struct tally *t, uint32_t item, int kind, int64_t value)
{
	size_t i = slot_of(t, item, kind, value);

	for (;; i = (i + 1) & (t->cap - 1)) {
		struct tally_entry *e = &t->slots[i];

		if (e->kind == 0 || (e->item == item && e->kind == kind &&
				     e->value == value))
			return e;
	}
}

static int
grow(struct tally *t)
{
	struct tally old = *t;
	size_t cap = old.cap ? old.cap * 2 : 256, i;

	if (cap < old.cap || cap > SIZE_MAX / sizeof(*t->slots))
		return -1;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (t->slots == NULL) {
		*t = old;
		return -1;
	}
	t->cap = cap;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].kind != 0)
			*find(t, old.slots[i].item, old.slots[i].kind,
			      old.slots[i].value) = old.slots[i];
	free(old.slots);
	return 0;
}

int
tally_add(struct tally *t, uint32_t item, enum tally_kind kind,
	  int64_t value, int64_t n)
{
	struct tally_entry *e;

	if ((t->len + 1) * 2 > t->cap && grow(t) != 0)
		return -1;
	e = find(t, item, (int)kind, value);
	if (e->kind == 0) {
		e->item = item;
		e->kind = (unsigned char)kind;
		e->value = value;
		t->len++;
	}
	e->n += n;
	return 0;
}

int64_t
tally_get(const struct tally *t, uint32_t item, enum tally_kind kind,
	  int64_t value)
{
	if (t->cap == 0)
		return 0;
	return find(t, item, (int)kind, value)->n;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	t->slots = NULL;
	t->cap = t->len = 0;
}
