/* A binary min-heap of merge candidates, in an array the caller owns. */
#include "pairheap.h"

static int
pair_before(const struct pair *a, const struct pair *b)
{
	if (a->heat != b->heat)
		return a->heat < b->heat;
	return a->len != b->len ? a->len < b->len : a->start < b->start;
}

void
pairheap_push(struct pair *heap, size_t *n, const struct pair *item)
{
	size_t i = (*n)++;

	while (i > 0 && pair_before(item, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = *item;
}

void
pairheap_pop(struct pair *heap, size_t *n, struct pair *top)
{
	struct pair moving;
	size_t i = 0, child;

	*top = heap[0];
	moving = heap[--*n];
	while ((child = 2 * i + 1) < *n) {
		if (child + 1 < *n &&
		    pair_before(&heap[child + 1], &heap[child]))
			child++;
		if (!pair_before(&heap[child], &moving))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = moving;
}
