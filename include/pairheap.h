/*
 * The planner's merge candidates: pairs of neighbouring pieces, kept in a
 * binary min-heap so that the coldest pair comes first (then the shorter,
 * then the one further left).
 */
#ifndef DMFILEMAPD_PAIRHEAP_H
#define DMFILEMAPD_PAIRHEAP_H

#include <stddef.h>
#include <stdint.h>

struct pair {
	uint64_t heat, len, start;
	size_t left, right;		/* the two pieces */
	unsigned left_gen, right_gen;	/* their generations when offered */
};

/* heap must have room for one more entry. */
void pairheap_push(struct pair *heap, size_t *n, const struct pair *item);

/* Takes the first pair off a non-empty heap. */
void pairheap_pop(struct pair *heap, size_t *n, struct pair *top);

#endif
