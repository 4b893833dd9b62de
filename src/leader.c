/*
 * Whether a region id names a group's leader, as the GROUP_ID argument must,
 * and if not, why.  Pure: it reads a listing already made.  The listing
 * must be of every program's regions, as members may belong to others.
 */
#include <inttypes.h>
#include <string.h>

#include "fault.h"
#include "leader.h"

/* Names the group whose member list holds region id, or returns UINT64_MAX. */
static uint64_t
group_holding(const struct listing *listing, uint64_t id)
{
	struct descriptor d;
	size_t i, j;
	uint64_t leader = UINT64_MAX;

	for (i = 0; i < listing->count && leader == UINT64_MAX; i++) {
		if (descriptor_parse(listing->regions[i].aux, &d) !=
		    DESCRIPTOR_FOUND)
			continue;
		for (j = 0; j < d.n_members; j++)
			if (d.members[j] == id)
				leader = listing->regions[i].id;
		descriptor_free(&d);
	}
	return leader;
}

/* How many members the descriptor names are not listed; the first of them. */
static size_t
missing_members(const struct listing *listing, const struct descriptor *d,
    uint64_t *first)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_members; i++) {
		if (listing_find(listing, d->members[i]) != NULL)
			continue;
		if (n++ == 0)
			*first = d->members[i];
	}
	return n;
}

static int
refuse_leader(const struct listing *listing, const char *arg, uint64_t id,
    const char *dev_name, const struct listed_region *leader,
    const struct descriptor *d, enum descriptor_found found,
    struct fault *f)
{
	uint64_t holder, missing = 0;
	size_t n_missing;

	if (leader == NULL)
		return faultx(f, "%s %" PRIu64 ": no region %" PRIu64 " on %s",
		    arg, id, id, dev_name);
	if (found == DESCRIPTOR_UNREADABLE)
		return faultx(f, "%s %" PRIu64 ": the group descriptor '%s' "
		    "cannot be read", arg, id, leader->aux);
	if (found == DESCRIPTOR_NONE) {
		if ((holder = group_holding(listing, id)) == UINT64_MAX)
			return faultx(f, "%s %" PRIu64 ": region %" PRIu64
			    " is not in any group", arg, id, id);
		return faultx(f, "%s %" PRIu64 ": region %" PRIu64 " is a "
		    "member of group %" PRIu64 ", not its leader", arg, id, id,
		    holder);
	}
	if (d->n_members == 0 || d->members[0] != id)
		return faultx(f, "%s %" PRIu64 ": region %" PRIu64 " is not "
		    "the lowest member of its group", arg, id, id);
	if ((n_missing = missing_members(listing, d, &missing)) == 1)
		return faultx(f, "%s %" PRIu64 ": its descriptor names region %"
		    PRIu64 ", which is not on %s", arg, id, missing, dev_name);
	if (n_missing > 1)
		return faultx(f, "%s %" PRIu64 ": its descriptor names region %"
		    PRIu64 " and %zu more that are not on %s", arg, id, missing,
		    n_missing - 1, dev_name);
	return 0;
}

const struct listed_region *
leader_find(const struct listing *listing, const char *arg, uint64_t id,
    const char *dev_name, struct descriptor *d, struct fault *f)
{
	const struct listed_region *leader = listing_find(listing, id);
	enum descriptor_found found = DESCRIPTOR_NONE;

	memset(d, 0, sizeof(*d));
	if (leader != NULL)
		found = descriptor_parse(leader->aux, d);
	if (refuse_leader(listing, arg, id, dev_name, leader, d, found, f) ==
	    0)
		return leader;
	descriptor_free(d);
	return NULL;
}
