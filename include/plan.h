/*
 * The planner: the pure difference between the device ranges a file occupies
 * and the regions its group has, as the regions to delete and the ranges to
 * create.  No syscalls, no libdevmapper.
 */
#ifndef DMFILEMAPD_PLAN_H
#define DMFILEMAPD_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "extents.h"

struct region {
	uint64_t id;
	uint64_t start;		/* sectors */
	uint64_t len;		/* sectors */
	uint64_t heat;		/* I/Os counted so far; used only to choose merges */
};

struct plan {
	uint64_t *delete_ids;	/* regions to delete, ascending id */
	size_t n_delete;
	struct range *create;	/* ranges to create, ascending start */
	size_t n_create;
	size_t n_keep;		/* regions left as they are */
	uint64_t *heat_ids;	/* see PLAN_NEEDS_HEAT, ascending id */
	size_t n_heat;
};

enum plan_status {
	PLAN_OK = 0,
	PLAN_NEEDS_HEAT,	/* merges are due: only heat_ids is filled in;
				   fill in their heat and plan again */
	PLAN_NO_MEMORY,
};

/* Whether the caller has filled in the heat of the regions heat_ids names. */
enum heat {
	HEAT_UNREAD,		/* not yet: a plan with merges due asks for it */
	HEAT_READ,
};

/*
 * mapped: the file's device ranges, normalized (sorted, disjoint, not touching).
 * regions: the group's members in any order; they may overlap (an overlap is
 * resolved by keeping the lower-starting one, then the lower id).  Empty
 * regions are deleted.  Copies of one id that agree count as one region;
 * copies that disagree are deleted.
 * cap: most regions one mapped range may hold (0 counts as 1).  Past the cap,
 * neighbours are merged down to half the cap (rounded up), coldest pair
 * first: the regions merged lose their counters, and a merged range may touch
 * another range to create.  A range at or below the cap is left alone.
 * heat: HEAT_READ when the heat of every region in heat_ids (at least) is
 * filled in.
 * out is always reset first, so plan_free() may follow any status.
 */
enum plan_status plan_make(const struct range *mapped, size_t n_mapped,
    const struct region *regions, size_t n_regions, unsigned cap,
    enum heat heat, struct plan *out);

void plan_free(struct plan *plan);


#endif
