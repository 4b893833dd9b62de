/*
 * The group as the kernel keeps it: its leader's descriptor, its members,
 * and the changes a plan asks for.  The listing is asked for by program_id
 * so that its cost grows with our program's regions rather than with the
 * whole device's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "group.h"
#include "leader.h"
#include "listing.h"
#include "log.h"
#include "stats.h"

/* New members must count exactly like the ones dmstats made. */
static int
copy_leader_settings(struct group *g, const struct listed_region *leader,
    const struct descriptor *d)
{
	free(g->program_id);
	free(g->create_options);
	free(g->alias);
	free(g->user_aux);
	g->program_id = strdup(leader->program_id);
	g->create_options = strdup(leader->options);
	g->n_create_options = leader->n_options;
	g->alias = strdup(d->alias);
	g->user_aux = d->user_aux ? strdup(d->user_aux) : NULL;
	if (!g->program_id || !g->create_options || !g->alias ||
	    (d->user_aux && !g->user_aux))
		return -1;
	return 0;
}

/*
 * A filtered listing shows only regions of the leader's program; it is
 * safe to use only when every member shares that program_id.
 */
static void
choose_list_filter(struct group *g, const struct listing *listing,
    const struct descriptor *d)
{
	const struct listed_region *r;
	size_t i;

	g->list_all = 0;
	for (i = 0; i < d->n_members; i++) {
		r = listing_find(listing, d->members[i]);
		if (r != NULL && strcmp(r->program_id, g->program_id) != 0)
			g->list_all = 1;
	}
}

int
group_open(struct group *g, dev_t dev, uint64_t id, char *err, size_t errlen)
{
	const struct listed_region *leader;
	struct descriptor d;
	struct listing listing;
	int r = -1;

	memset(g, 0, sizeof(*g));
	g->id = id;
	if (stats_device_open(&g->dev, dev, err, errlen) != 0)
		return -1;
	if (stats_list(&g->dev, "", &listing) != 0) {
		snprintf(err, errlen, "%s: cannot list dm-stats regions: %s",
		    g->dev.name, strerror(errno));
		return -1;
	}
	leader = leader_find(&listing, id, g->dev.name, &d, err, errlen);
	if (leader != NULL) {
		if (copy_leader_settings(g, leader, &d) == 0) {
			choose_list_filter(g, &listing, &d);
			r = 0;
		} else {
			snprintf(err, errlen, "out of memory");
		}
		descriptor_free(&d);
	}
	listing_free(&listing);
	return r;
}

static int
collect_members(struct group *g, const struct listing *listing,
    const struct descriptor *d)
{
	const struct listed_region *r;
	struct region *members;
	size_t i, n = 0;

	members = calloc(d->n_members ? d->n_members : 1, sizeof(*members));
	if (members == NULL)
		return -1;
	/* A member someone deleted is left out: the plan covers its range again. */
	for (i = 0; i < d->n_members; i++) {
		if ((r = listing_find(listing, d->members[i])) == NULL) {
			log_info(VERB_REGIONS, "member region %" PRIu64
			    " has gone", d->members[i]);
			continue;
		}
		members[n].id = r->id;
		members[n].start = r->start;
		members[n].len = r->len;
		n++;
	}
	free(g->members);
	g->members = members;
	g->n_members = n;
	g->n_listed = d->n_members;
	return 0;
}

enum group_state
group_refresh(struct group *g)
{
	const struct listed_region *leader;
	struct descriptor d;
	struct listing listing;
	enum group_state state = GROUP_GONE;

	if (stats_list(&g->dev, g->list_all ? "" : g->program_id,
	    &listing) != 0) {
		log_error("%s: cannot list dm-stats regions: %s", g->dev.name,
		    strerror(errno));
		return GROUP_FAILED;
	}
	leader = listing_find(&listing, g->id);
	if (leader != NULL && descriptor_parse(leader->aux, &d) == 1) {
		if (d.n_members > 0 && d.members[0] == g->id) {
			/* Someone may have renamed the group meanwhile. */
			if (copy_leader_settings(g, leader, &d) != 0 ||
			    collect_members(g, &listing, &d) != 0)
				state = GROUP_FAILED;
			else
				state = GROUP_PRESENT;
		}
		descriptor_free(&d);
	}
	listing_free(&listing);
	return state;
}

int
group_read_heat(const struct group *g, struct region *regions, size_t n,
    const uint64_t *ids, size_t n_ids)
{
	size_t i;

	for (i = 0; i < n; i++) {
		regions[i].heat = 0;
		if (bsearch(&regions[i].id, ids, n_ids, sizeof(*ids),
		    compare_ids) != NULL &&
		    stats_heat(&g->dev, regions[i].id, &regions[i].heat) != 0)
			return -1;
	}
	return 0;
}

static int
create_region(const struct group *g, const struct range *range, uint64_t *id)
{
	if (stats_create(&g->dev, range, g->create_options,
	    g->n_create_options, g->program_id, id) != 0) {
		log_error("%s: cannot create a region at %" PRIu64 "+%" PRIu64
		    ": %s", g->dev.name, range->start, range->len,
		    strerror(errno));
		return -1;
	}
	log_info(VERB_REGIONS, "created region %" PRIu64 " at %" PRIu64 "+%"
	    PRIu64, *id, range->start, range->len);
	return 0;
}

static int
delete_region(const struct group *g, uint64_t id)
{
	if (stats_delete(&g->dev, id) != 0) {
		log_error("%s: cannot delete region %" PRIu64 ": %s",
		    g->dev.name, id, strerror(errno));
		return -1;
	}
	log_info(VERB_REGIONS, "deleted region %" PRIu64, id);
	return 0;
}

static int
set_aux(const struct group *g, uint64_t id, const char *aux)
{
	if (stats_set_aux(&g->dev, id, aux) != 0) {
		log_error("%s: cannot set aux_data of region %" PRIu64 ": %s",
		    g->dev.name, id, strerror(errno));
		return -1;
	}
	return 0;
}

static int
write_descriptor(const struct group *g, uint64_t leader,
    const uint64_t *members, size_t n)
{
	char *aux;
	int r;

	if ((aux = descriptor_format(g->alias, members, n, g->user_aux)) == NULL)
		return -1;
	r = set_aux(g, leader, aux);
	free(aux);
	return r;
}

static int
compare_region_ids(const void *a, const void *b)
{
	return compare_ids(&((const struct region *)a)->id,
	    &((const struct region *)b)->id);
}

static int
contains_id(const uint64_t *ids, size_t n, uint64_t id)
{
	return bsearch(&id, ids, n, sizeof(id), compare_ids) != NULL;
}

/*
 * Writes the descriptor for the new member set on its lowest id, then lets
 * the old leader go: deleted when the plan drops it, cleared when it stays
 * as an ordinary member.  The group is never left without a descriptor.
 */
static int
move_descriptor(struct group *g, const uint64_t *ids, size_t n,
    int drop_old_leader)
{
	uint64_t old = g->id;
	int r = 0;

	if (n > 0 && write_descriptor(g, ids[0], ids, n) != 0)
		return -1;
	if (drop_old_leader)
		r = delete_region(g, old);
	else if (n > 0 && ids[0] != old)
		r = set_aux(g, old, "-");
	if (n > 0 && ids[0] != old) {
		g->id = ids[0];
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " is now group %"
		    PRIu64 " (its lowest region changed)", old, g->id);
	}
	return r;
}

int
group_apply(struct group *g, const struct plan *plan)
{
	struct region *next, *member;
	uint64_t *ids;
	size_t i, n = 0, most = g->n_members + plan->n_create;
	int failed = 0, drop_leader = 0;
	/*
	 * A descriptor naming regions that are gone is rewritten, lest a
	 * stranger's new region reuse the id and join the group.
	 */
	int changed = group_is_stale(g);

	next = calloc(most ? most : 1, sizeof(*next));
	ids = calloc(most ? most : 1, sizeof(*ids));
	if (next == NULL || ids == NULL) {
		free(next);
		free(ids);
		return -1;
	}
	/*
	 * New regions first: while a merged or re-cut range changes hands,
	 * an I/O is counted twice for a moment rather than not at all.
	 */
	for (i = 0; i < plan->n_create; i++) {
		if (create_region(g, &plan->create[i], &next[n].id) != 0) {
			failed = 1;
			continue;
		}
		next[n].start = plan->create[i].start;
		next[n].len = plan->create[i].len;
		next[n].heat = 0;
		n++;
		changed = 1;
	}
	for (i = 0; i < g->n_members; i++) {
		member = &g->members[i];
		if (!contains_id(plan->delete_ids, plan->n_delete, member->id)) {
			next[n++] = *member;
		} else if (member->id == g->id) {
			drop_leader = changed = 1;
		} else if (delete_region(g, member->id) == 0) {
			changed = 1;
		} else {
			/* Still there: it stays listed rather than orphaned. */
			next[n++] = *member;
			failed = 1;
		}
	}
	qsort(next, n, sizeof(*next), compare_region_ids);
	for (i = 0; i < n; i++)
		ids[i] = next[i].id;
	if (changed && move_descriptor(g, ids, n, drop_leader) != 0)
		failed = 1;
	free(g->members);
	g->members = next;
	g->n_members = n;
	g->n_listed = n;
	free(ids);
	return failed ? -1 : 0;
}

int
group_is_stale(const struct group *g)
{
	return g->n_listed != g->n_members;
}

int
group_remove(struct group *g)
{
	size_t i;
	int failed = 0;

	/* Members first: deleting the leader is what ends the group. */
	for (i = 0; i < g->n_members; i++)
		if (g->members[i].id != g->id &&
		    delete_region(g, g->members[i].id) != 0)
			failed = 1;
	if (delete_region(g, g->id) != 0)
		failed = 1;
	g->n_members = 0;
	return failed ? -1 : 0;
}

void
group_close(struct group *g)
{
	stats_device_close(&g->dev);
	free(g->program_id);
	free(g->create_options);
	free(g->alias);
	free(g->user_aux);
	free(g->members);
	memset(g, 0, sizeof(*g));
}
