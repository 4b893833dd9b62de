/*
 * Planning only what changed.  After a pass the group's regions tile the
 * file's layout exactly, so when the layout changes in one place, every
 * range before the first difference and after the last is still tiled by
 * the same regions, which the full plan would keep: only the ranges in
 * between and the regions inside them need planning.  A file of thousands
 * of extents that gains or loses one is planned in time proportional to
 * the change, after one linear scan.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_window.h"

static int
same_range(const struct range *a, const struct range *b)
{
	return a->start == b->start && a->len == b->len;
}

enum plan_status
plan_change(const struct range *old, size_t n_old, const struct range *new,
    size_t n_new, const struct region *regions, size_t n_regions,
    unsigned cap, enum heat heat, struct plan *out)
{
	struct region *inside;
	size_t head = 0, tail = 0, i, n_inside = 0;
	uint64_t from = 0, to = 0;
	enum plan_status status;

	while (head < n_old && head < n_new && same_range(&old[head], &new[head]))
		head++;
	while (tail < n_old - head && tail < n_new - head &&
	    same_range(&old[n_old - 1 - tail], &new[n_new - 1 - tail]))
		tail++;
	/* The old ranges that changed span [from, to) of the device. */
	if (n_old - tail > head) {
		from = old[head].start;
		to = old[n_old - 1 - tail].start + old[n_old - 1 - tail].len;
	}
	if ((inside = calloc(n_regions + 1, sizeof(*inside))) == NULL) {
		memset(out, 0, sizeof(*out));
		return PLAN_NO_MEMORY;
	}
	for (i = 0; i < n_regions; i++)
		if (regions[i].start >= from && regions[i].start < to)
			inside[n_inside++] = regions[i];
	status = plan_make(new + head, n_new - head - tail, inside, n_inside,
	    cap, heat, out);
	free(inside);
	if (status == PLAN_OK)
		out->n_keep += n_regions - n_inside;
	return status;
}
