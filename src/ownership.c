/*
 * Proving that a group, and a region, is this daemon's: see ownership.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "extents.h"
#include "fault.h"
#include "ownership.h"

static const struct region *
known_member(const struct known_group *g, uint64_t id)
{
	struct region key = { .id = id };

	return bsearch(&key, g->members, g->n_members, sizeof(key),
	    compare_ids);
}

/*
 * Whether the members the descriptor names and the listing still has are
 * the ones known; f says which is not.
 */
static int
members_explained(const struct listing *listing, const struct known_group *g,
    const struct descriptor *d, struct fault *f)
{
	const struct listed_region *r;
	const struct region *known;
	size_t i;

	for (i = 0; i < d->n_members; i++) {
		if ((r = listing_find(listing, d->members[i])) == NULL)
			continue;	/* deleted by someone: its range is re-covered */
		known = known_member(g, r->id);
		if (known == NULL) {
			faultx(f, "region %" PRIu64 " is a member this daemon "
			    "did not know", r->id);
			return 0;
		}
		if (known->start != r->start || known->len != r->len) {
			faultx(f, "region %" PRIu64 " lies at %" PRIu64 "+%"
			    PRIu64 ", not at %" PRIu64 "+%" PRIu64, r->id,
			    r->start, r->len, known->start, known->len);
			return 0;
		}
	}
	return 1;
}

/* Whether every member of now is one of was's: both lists ascend. */
static int
members_subset(const struct descriptor *now, const struct descriptor *was)
{
	size_t i, j = 0;

	for (i = 0; i < now->n_members; i++) {
		while (j < was->n_members && was->members[j] < now->members[i])
			j++;
		if (j == was->n_members || was->members[j] != now->members[i])
			return 0;
	}
	return 1;
}

/*
 * What dmstats does to a group without making it another: it deletes a
 * member by rewriting the descriptor without it, and renames the group
 * (dm_stats_set_alias) by rewriting it with a new alias and the very same
 * members; either way the user aux_data stays, and a libdevmapper from
 * 1.02.197 on quotes the alias as it rewrites it.
 */
static int
rewritten_by_dmstats(const struct descriptor *now, const char *known)
{
	struct descriptor was;
	int same_aux, explained = 0;

	if (descriptor_parse(known, &was) != DESCRIPTOR_FOUND)
		return 0;
	same_aux = (now->user_aux == NULL && was.user_aux == NULL) ||
	    (now->user_aux && was.user_aux &&
	    strcmp(now->user_aux, was.user_aux) == 0);
	if (same_aux && strcmp(now->alias, was.alias) == 0)
		explained = members_subset(now, &was);
	else if (same_aux)
		explained = now->n_members == was.n_members &&
		    members_subset(now, &was);
	descriptor_free(&was);
	return explained;
}

enum ownership
ownership_check(const struct listing *listing, const struct known_group *g,
    struct fault *f)
{
	const struct listed_region *leader = listing_find(listing, g->id);
	struct descriptor d;
	enum descriptor_found found;
	int explained;

	if (leader == NULL)
		return UNGROUPED;
	found = descriptor_parse(leader->aux, &d);
	if (found == DESCRIPTOR_NONE)
		return UNGROUPED;
	if (found == DESCRIPTOR_UNREADABLE) {
		faultx(f, "its descriptor '%s' cannot be read", leader->aux);
		return FOREIGN;
	}
	if (strcmp(leader->aux, g->descriptor) != 0 &&
	    !rewritten_by_dmstats(&d, g->descriptor)) {
		faultx(f, "its descriptor is '%s', not '%s'", leader->aux,
		    g->descriptor);
		explained = 0;
	} else if (strcmp(leader->program_id, g->program_id) != 0 ||
	    strcmp(leader->options, g->options) != 0) {
		faultx(f, "its leader is of program '%s' with settings '%s'",
		    leader->program_id, leader->options);
		explained = 0;
	} else {
		explained = members_explained(listing, g, &d, f);
	}
	descriptor_free(&d);
	return explained ? OWNED : FOREIGN;
}

void
ownership_tag(char *buf, size_t len, uint64_t leader, uint64_t ino)
{
	snprintf(buf, len, "dmfilemapd:%" PRIu64 ":%" PRIu64, leader, ino);
}

/*
 * Marks in named (by position in the listing) every region a descriptor
 * names.  A descriptor that cannot be read might name anything: then
 * nothing can be called an orphan (-1, errno EBADMSG).
 */
static int
mark_named(const struct listing *listing, unsigned char *named)
{
	const struct listed_region *member;
	struct descriptor d;
	size_t i, j;
	enum descriptor_found found;

	for (i = 0; i < listing->count; i++) {
		found = descriptor_parse(listing->regions[i].aux, &d);
		if (found == DESCRIPTOR_UNREADABLE) {
			errno = EBADMSG;
			return -1;
		}
		for (j = 0; found == DESCRIPTOR_FOUND && j < d.n_members; j++)
			if ((member = listing_find(listing, d.members[j])) != NULL)
				named[member - listing->regions] = 1;
		descriptor_free(&d);
	}
	return 0;
}

long
ownership_orphans(const struct listing *listing, const char *tag,
    uint64_t *orphans)
{
	unsigned char *named = calloc(listing->count + 1, 1);
	size_t i;
	long n = 0;

	if (named == NULL || mark_named(listing, named) != 0) {
		free(named);
		return -1;
	}
	for (i = 0; i < listing->count; i++)
		if (!named[i] && strcmp(listing->regions[i].aux, tag) == 0)
			orphans[n++] = listing->regions[i].id;
	free(named);
	return n;
}

/* The file range that holds sector, or NULL: ranges ascend, apart. */
static const struct range *
range_holding(const struct range *file, size_t n, uint64_t sector)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (file[mid].start + file[mid].len <= sector)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && file[lo].start <= sector ? &file[lo] : NULL;
}

size_t
ownership_outside_file(const struct region *members, size_t n_members,
    const struct range *file, size_t n_file)
{
	const struct range *r;
	size_t i;

	for (i = 0; i < n_members; i++) {
		r = range_holding(file, n_file, members[i].start);
		if (r == NULL || members[i].start + members[i].len >
		    r->start + r->len)
			break;
	}
	return i;
}

/*
 * The members of the group that region leads, by the descriptor d it
 * carries, as regions; 0 when it leads none or some member is missing,
 * -1 when memory runs out.
 */
static long
led_members(const struct listing *listing, const struct listed_region *leader,
    const struct descriptor *d, struct region **out)
{
	const struct listed_region *r;
	size_t i;

	if (d->members[0] != leader->id)
		return 0;
	if ((*out = calloc(d->n_members, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < d->n_members; i++) {
		if ((r = listing_find(listing, d->members[i])) == NULL) {
			free(*out);
			return 0;
		}
		(*out)[i] = (struct region){ r->id, r->start, r->len, 0 };
	}
	return (long)d->n_members;
}

enum file_group
ownership_file_group(const struct listing *listing, const struct range *file,
    size_t n_file, const struct file_group_settings *want, uint64_t *id)
{
	const struct listed_region *r;
	struct region *members;
	struct descriptor d;
	size_t i;
	long n;
	int within;

	for (i = 0; i < listing->count; i++) {
		r = &listing->regions[i];
		if (strcmp(r->program_id, want->program_id) != 0 ||
		    strcmp(r->options, want->options) != 0)
			continue;
		if (descriptor_parse(r->aux, &d) != DESCRIPTOR_FOUND)
			continue;
		n = strcmp(d.alias, want->alias) == 0 ?
		    led_members(listing, r, &d, &members) : 0;
		descriptor_free(&d);
		if (n < 0)
			return FILE_GROUP_FAILED;
		if (n == 0)
			continue;
		within = ownership_outside_file(members, (size_t)n, file,
		    n_file) == (size_t)n;
		free(members);
		if (within) {
			*id = r->id;
			return FILE_GROUP_FOUND;
		}
	}
	return FILE_GROUP_NONE;
}
