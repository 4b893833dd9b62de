/*
 * Changing the group: a plan carried out, the leftovers of a killed daemon
 * swept, the group removed.  Each message that fails is logged here, where
 * the pass goes on without it; the caller learns only that something failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "group.h"
#include "listing.h"
#include "log.h"
#include "ownership.h"
#include "stats.h"

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

/*
 * Regions a daemon of this group created but never named in a descriptor:
 * it was killed between its creates and its descriptor write.  The tag
 * proves them this group's, and no group counts through them.
 */
void
group_sweep(const struct group *g)
{
	char tag[OWNERSHIP_TAG_MAX];
	struct listing listing;
	uint64_t *orphans;
	long i, n = -1;

	if (stats_list(&g->dev, "", &listing) != 0) {
		log_error("%s: cannot list dm-stats regions: %s", g->dev.name,
		    strerror(errno));
		return;
	}
	ownership_tag(tag, sizeof(tag), g->id, g->file_ino);
	if ((orphans = calloc(listing.count + 1, sizeof(*orphans))) != NULL)
		n = ownership_orphans(&listing, tag, orphans);
	if (n < 0)
		log_error("cannot look for regions left by an earlier daemon: "
		    "%s", orphans ? "a descriptor cannot be read" :
		    "out of memory");
	for (i = 0; i < n; i++) {
		log_info(VERB_LIFECYCLE, "region %" PRIu64 " was created for "
		    "group %" PRIu64 " but never joined it: deleting it",
		    orphans[i], g->id);
		delete_region(g, orphans[i]);
	}
	free(orphans);
	listing_free(&listing);
}

/* A new region carries the tag until the descriptor names it. */
static int
create_region(const struct group *g, const struct range *range, uint64_t *id)
{
	char tag[OWNERSHIP_TAG_MAX];

	ownership_tag(tag, sizeof(tag), g->id, g->file_ino);
	if (stats_create(&g->dev, range, g->create_options,
	    g->n_create_options, g->program_id, tag, id) != 0) {
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
set_aux(const struct group *g, uint64_t id, const char *aux)
{
	if (stats_set_aux(&g->dev, id, aux) != 0) {
		log_error("%s: cannot set aux_data of region %" PRIu64 ": %s",
		    g->dev.name, id, strerror(errno));
		return -1;
	}
	return 0;
}

/* The text written is what later checks expect to find. */
static int
write_descriptor(struct group *g, uint64_t leader, const uint64_t *members,
    size_t n)
{
	char *aux;

	if ((aux = descriptor_format(g->alias, members, n, g->user_aux)) == NULL) {
		log_error("out of memory for group %" PRIu64 "'s descriptor",
		    g->id);
		return -1;
	}
	if (set_aux(g, leader, aux) != 0) {
		free(aux);
		return -1;
	}
	free(g->descriptor);
	g->descriptor = aux;
	return 0;
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
 * Returns -1 when the descriptor could not be written, 1 when it was but
 * the old leader could not be let go.
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
	return r == 0 ? 0 : 1;
}

/*
 * Creates the plan's new regions into next; returns how many.  New regions
 * come first: while a merged or re-cut range changes hands, an I/O is
 * counted twice for a moment rather than not at all.
 */
static size_t
create_regions(const struct group *g, const struct plan *plan,
    struct region *next, int *failed)
{
	size_t i, n = 0;

	for (i = 0; i < plan->n_create; i++) {
		if (create_region(g, &plan->create[i], &next[n].id) != 0) {
			*failed = 1;
			continue;
		}
		next[n].start = plan->create[i].start;
		next[n].len = plan->create[i].len;
		next[n].heat = 0;
		n++;
	}
	return n;
}

/*
 * The descriptor does not name the new regions: they count for nobody, so
 * they go, and the old descriptor, still in place, says what the group is.
 */
static size_t
undo_creates(const struct group *g, struct region *next, size_t n,
    const struct region *created, size_t n_created)
{
	struct region *r;
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		r = bsearch(&next[i], created, n_created, sizeof(*created),
		    compare_region_ids);
		if (r == NULL || delete_region(g, r->id) != 0)
			next[kept++] = next[i];
	}
	return kept;
}

int
group_apply(struct group *g, const struct plan *plan)
{
	struct region *next, *member, *created = NULL;
	uint64_t *ids;
	size_t i, n, n_created, most = g->n_members + plan->n_create;
	int failed = 0, drop_leader = 0;
	/*
	 * A descriptor naming regions that are gone is rewritten, lest a
	 * stranger's new region reuse the id and join the group.
	 */
	int changed = group_is_stale(g);

	next = calloc(most ? most : 1, sizeof(*next));
	ids = calloc(most ? most : 1, sizeof(*ids));
	if (next != NULL && ids != NULL)
		created = calloc(plan->n_create + 1, sizeof(*created));
	if (created == NULL) {
		free(next);
		free(ids);
		log_error("out of memory for group %" PRIu64 "'s plan", g->id);
		return -1;
	}
	n = n_created = create_regions(g, plan, next, &failed);
	memcpy(created, next, n_created * sizeof(*created));
	qsort(created, n_created, sizeof(*created), compare_region_ids);
	changed |= n_created > 0;
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
	switch (changed ? move_descriptor(g, ids, n, drop_leader) : 0) {
	case 0:
		g->n_listed = n;
		break;
	case -1:
		n = undo_creates(g, next, n, created, n_created);
		/* The old leader, spared for the descriptor's move, stays. */
		for (i = 0; drop_leader && i < g->n_members; i++)
			if (g->members[i].id == g->id)
				next[n++] = g->members[i];
		qsort(next, n, sizeof(*next), compare_region_ids);
		failed = 1;
		break;
	default:
		g->n_listed = n;
		failed = 1;
		break;
	}
	free(g->members);
	g->members = next;
	g->n_members = n;
	free(created);
	free(ids);
	return failed ? -1 : 0;
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

