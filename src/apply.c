/*
 * Changing the group: a plan carried out, the leftovers of a killed daemon
 * swept, the group removed.  Each message that fails is logged here, where
 * the change goes on without it or is undone (a step that fails returns
 * -1, or NULL, once it has said so); the caller learns only how far the
 * change got (enum group_change), and logs nothing more.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "descriptor.h"
#include "group.h"
#include "listing.h"
#include "listshare.h"
#include "log.h"
#include "ownership.h"
#include "stats.h"

static int
delete_region(const struct group *g, uint64_t id)
{
	if (stats_delete(&g->dev, id) != 0) {
		log_error("%s: cannot delete region %" PRIu64, g->dev.name,
		    id);
		return -1;
	}
	log_info(VERB_REGIONS, "deleted region %" PRIu64, id);
	return 0;
}

/*
 * Regions a daemon of this group tagged but no descriptor names: it was
 * killed between its creates and its descriptor's move, or before it
 * deleted the members the move let go.  The tag proves them this group's,
 * and no group counts through them.
 */
void
group_sweep(const struct group *g)
{
	char tag[OWNERSHIP_TAG_MAX];
	struct listing listing;
	uint64_t *orphans;
	long i, n = -1;

	if (stats_list(&g->dev, "", &listing) != 0) {
		log_error("%s: cannot list dm-stats regions", g->dev.name);
		return;
	}
	ownership_tag(tag, sizeof(tag), g->id, g->file_ino);
	if ((orphans = calloc(listing.count + 1, sizeof(*orphans))) != NULL)
		n = ownership_orphans(&listing, tag, orphans);
	if (n < 0 && errno == EBADMSG)
		log_errorx("cannot look for regions left by an earlier daemon: "
		    "a descriptor cannot be read");
	else if (n < 0)
		log_error("cannot look for regions left by an earlier daemon");
	for (i = 0; i < n; i++) {
		log_info(VERB_LIFECYCLE, "region %" PRIu64 " was created for "
		    "group %" PRIu64 " but never joined it: deleting it",
		    orphans[i], g->id);
		delete_region(g, orphans[i]);
	}
	free(orphans);
	listing_free(&listing);
}

/* A new region carries the tag: until the descriptor names it, only the tag says whose it is. */
static int
create_region(const struct group *g, const struct range *range, uint64_t *id)
{
	char tag[OWNERSHIP_TAG_MAX];

	ownership_tag(tag, sizeof(tag), g->id, g->file_ino);
	if (stats_create(&g->dev, range, g->create_options,
	    g->n_create_options, g->program_id, tag, id) != 0) {
		log_error("%s: cannot create a region at %" PRIu64 "+%" PRIu64,
		    g->dev.name, range->start, range->len);
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
		log_error("%s: cannot set aux_data of region %" PRIu64,
		    g->dev.name, id);
		return -1;
	}
	return 0;
}

/*
 * The descriptor for members, or NULL when memory runs out or its row
 * would be longer than libdevmapper can read: one such row makes
 * `dmstats list` fail for the whole device.
 */
static char *
new_descriptor(const struct group *g, const struct region *members, size_t n)
{
	uint64_t *ids = calloc(n, sizeof(*ids));
	char *aux = NULL;
	size_t i;
	struct range leader = { members[0].start, members[0].len };

	if (ids == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ids[i] = members[i].id;
	aux = descriptor_format(descriptor_rewrite_form(g->dev.alias_form,
	    g->alias_form, g->alias), g->alias, ids, n, g->user_aux);
	free(ids);
	if (aux != NULL && !descriptor_row_fits(members[0].id, &leader,
	    leader.len, g->program_id, aux, g->create_options)) {
		log_errorx("%s: group %" PRIu64 "'s member list would be too "
		    "long for libdevmapper to list (%zu regions): keeping the "
		    "group as it is", g->dev.name, g->id, n);
		free(aux);
		return NULL;
	}
	if (aux == NULL)
		log_errorx("out of memory for group %" PRIu64 "'s descriptor",
		    g->id);
	return aux;
}

/*
 * Creates the plan's new regions into next; returns how many.  New regions
 * come first: while a merged or re-cut range changes hands, an I/O is
 * counted twice for a moment rather than not at all.
 */
static size_t
create_regions(const struct group *g, const struct plan *plan,
    struct region *next, bool *failed)
{
	size_t i, n = 0;

	for (i = 0; i < plan->n_create; i++) {
		if (create_region(g, &plan->create[i], &next[n].id) != 0) {
			*failed = true;
			continue;
		}
		next[n].start = plan->create[i].start;
		next[n].len = plan->create[i].len;
		next[n].heat = 0;
		n++;
	}
	return n;
}

/* The group stays as it was: the regions just made count for nobody. */
static void
undo_creates(const struct group *g, const struct region *created, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		delete_region(g, created[i].id);
}

/*
 * Members about to leave the group are tagged first, for the new leader:
 * once the new descriptor no longer names them, a daemon killed before
 * deleting them leaves regions that the next one can prove its own.
 */
static int
tag_leaving(const struct group *g, const uint64_t *leaving, size_t n,
    uint64_t new_leader)
{
	char tag[OWNERSHIP_TAG_MAX];
	size_t i;

	ownership_tag(tag, sizeof(tag), new_leader, g->file_ino);
	for (i = 0; i < n; i++)
		if (set_aux(g, leaving[i], tag) != 0)
			return -1;
	return 0;
}

/*
 * Writes the descriptor on the new leader, then lets the old leader go:
 * deleted when the plan drops it, cleared when it stays as an ordinary
 * member.  The group is never left without a descriptor: CHANGE_NONE when
 * it could not be written, CHANGE_PARTLY when the old leader stays.
 */
static enum group_change
move_descriptor(struct group *g, uint64_t leader, char *aux, bool drop_old)
{
	uint64_t old = g->id;
	int r = 0;

	if (set_aux(g, leader, aux) != 0) {
		free(aux);
		return CHANGE_NONE;
	}
	/* The text written is what later checks expect to find. */
	free(g->descriptor);
	g->descriptor = aux;
	if (drop_old)
		r = delete_region(g, old);
	else if (leader != old)
		r = set_aux(g, old, "-");
	if (leader != old) {
		g->id = leader;
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " is now group %"
		    PRIu64 " (its lowest region changed)", old, g->id);
	}
	return r == 0 ? CHANGE_DONE : CHANGE_PARTLY;
}

/*
 * Fills next with the members the plan keeps and the created regions, in
 * ascending id; the others go into leaving.  The members already ascend,
 * so only the few created regions are sorted, and the two lists merged.
 */
static size_t
sort_members(const struct group *g, const struct plan *plan,
    struct region *created, size_t n_created, struct region *next,
    uint64_t *leaving, size_t *n_leaving, bool *drop_leader)
{
	const struct region *member;
	size_t i, c = 0, n = 0;

	qsort(created, n_created, sizeof(*created), compare_ids);
	for (i = 0; i < g->n_members; i++) {
		member = &g->members[i];
		if (bsearch(&member->id, plan->delete_ids, plan->n_delete,
		    sizeof(member->id), compare_ids) != NULL) {
			if (member->id == g->id)
				*drop_leader = true;
			else
				leaving[(*n_leaving)++] = member->id;
			continue;
		}
		while (c < n_created && created[c].id < member->id)
			next[n++] = created[c++];
		next[n++] = *member;
	}
	while (c < n_created)
		next[n++] = created[c++];
	return n;
}

/*
 * Moves the group to the member set next (ascending id), which holds the
 * created regions.  The order makes every moment one the next daemon can
 * recover from: regions created (tagged, not yet named), leaving members
 * tagged (still named), the descriptor moved (the created named, the
 * leaving not), the leaving deleted.  CHANGE_NONE: the group is left as
 * it was (the created regions deleted again); CHANGE_PARTLY: a step after
 * the descriptor's move failed.
 */
static enum group_change
change_group(struct group *g, const struct region *next, size_t n,
    const struct region *created, size_t n_created, const uint64_t *leaving,
    size_t n_leaving, bool drop_leader)
{
	enum group_change r = CHANGE_NONE;
	char *aux = NULL;
	size_t i;

	if (n > 0 && (aux = new_descriptor(g, next, n)) != NULL &&
	    tag_leaving(g, leaving, n_leaving, next[0].id) == 0)
		r = move_descriptor(g, next[0].id, aux, drop_leader);
	else
		free(aux);
	if (r == CHANGE_NONE) {
		undo_creates(g, created, n_created);
		return CHANGE_NONE;
	}
	for (i = 0; i < n_leaving; i++)
		if (delete_region(g, leaving[i]) != 0)
			r = CHANGE_PARTLY;
	return r;
}

enum group_change
group_apply(struct group *g, const struct plan *plan)
{
	struct region *next, *created;
	uint64_t *leaving;
	size_t n, n_created, n_leaving = 0;
	size_t most = g->n_members + plan->n_create + 1;
	enum group_change r = CHANGE_DONE;
	bool failed = false, drop_leader = false;

	/* The rows the last check saw are not what the device will hold. */
	free(g->seen_rows);
	g->seen_rows = NULL;
	g->seen_len = 0;
	next = calloc(most, sizeof(*next));
	created = calloc(plan->n_create + 1, sizeof(*created));
	leaving = calloc(g->n_members + 1, sizeof(*leaving));
	if (next == NULL || created == NULL || leaving == NULL) {
		log_errorx("out of memory for group %" PRIu64 "'s plan", g->id);
		r = CHANGE_NONE;
	} else {
		n_created = create_regions(g, plan, created, &failed);
		n = sort_members(g, plan, created, n_created, next, leaving,
		    &n_leaving, &drop_leader);
		/*
		 * A descriptor naming regions that are gone is rewritten, lest
		 * a stranger's new region reuse the id and join the group.
		 */
		if (n_created > 0 || n_leaving > 0 || drop_leader ||
		    group_is_stale(g))
			r = change_group(g, next, n, created, n_created,
			    leaving, n_leaving, drop_leader);
		if (r != CHANGE_NONE) {
			free(g->members);
			g->members = next;
			g->n_members = g->n_listed = n;
			g->members_gen++;
			next = NULL;
		}
		/* Some regions were made, others not: carried out in part. */
		if (failed && r == CHANGE_DONE)
			r = CHANGE_PARTLY;
	}
	free(next);
	free(created);
	free(leaving);
	return r;
}

/* A region that cannot be deleted is said, and the others still go. */
void
group_remove(struct group *g)
{
	size_t i;

	/* Members first: deleting the leader is what ends the group. */
	for (i = 0; i < g->n_members; i++)
		if (g->members[i].id != g->id)
			delete_region(g, g->members[i].id);
	delete_region(g, g->id);
	g->n_members = 0;
}

void
group_remove_own(struct group *g)
{
	struct fault why;

	switch (group_refresh(g, LISTING_FRESH, &why)) {
	case GROUP_PRESENT:
		group_remove(g);
		break;
	case GROUP_FAILED:
		log_error("%s: cannot check group %" PRIu64 " before deleting "
		    "it", g->dev.name, g->id);
		break;
	case GROUP_GONE:
	case GROUP_FOREIGN:
		break;		/* nothing of ours to delete */
	}
}
