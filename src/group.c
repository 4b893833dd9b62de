/*
 * The group as the kernel keeps it: its leader's descriptor and its
 * members, read and checked against what this daemon knows (apply.c
 * changes them).  The listing is asked for by program_id so that its cost
 * grows with our program's regions rather than with the whole device's.
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
#include "ownership.h"
#include "stats.h"

/*
 * New members must count exactly like the ones dmstats made.  The new
 * strings are made before the old ones go, so a failure changes nothing.
 */
static int
copy_leader_settings(struct group *g, const struct listed_region *leader,
    const struct descriptor *d)
{
	char *program_id = strdup(leader->program_id);
	char *options = strdup(leader->options);
	char *alias = strdup(d->alias);
	char *user_aux = d->user_aux ? strdup(d->user_aux) : NULL;
	char *descriptor = strdup(leader->aux);

	if (!program_id || !options || !alias || !descriptor ||
	    (d->user_aux && !user_aux)) {
		free(program_id);
		free(options);
		free(alias);
		free(user_aux);
		free(descriptor);
		return -1;
	}
	free(g->program_id);
	free(g->create_options);
	free(g->alias);
	free(g->user_aux);
	free(g->descriptor);
	g->program_id = program_id;
	g->create_options = options;
	g->n_create_options = leader->n_options;
	g->alias = alias;
	g->user_aux = user_aux;
	g->descriptor = descriptor;
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

int
group_open(struct group *g, const struct stats_device *dev, uint64_t id,
    uint64_t ino, char *err, size_t errlen)
{
	const struct listed_region *leader;
	struct descriptor d;
	struct listing listing;
	int r = -1;

	memset(g, 0, sizeof(*g));
	g->id = id;
	g->file_ino = ino;
	g->dev = *dev;
	if (stats_list(&g->dev, "", &listing) != 0) {
		snprintf(err, errlen, "%s: cannot list dm-stats regions: %s",
		    g->dev.name, strerror(errno));
		return -1;
	}
	leader = leader_find(&listing, id, g->dev.name, &d, err, errlen);
	if (leader != NULL) {
		/* What the group is now is what later checks compare with. */
		if (copy_leader_settings(g, leader, &d) == 0 &&
		    collect_members(g, &listing, &d) == 0) {
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

enum group_state
group_refresh(struct group *g, char *why, size_t whylen)
{
	struct known_group known = {
		.id = g->id, .descriptor = g->descriptor,
		.program_id = g->program_id, .options = g->create_options,
		.members = g->members, .n_members = g->n_members,
	};
	struct descriptor d;
	struct listing listing;
	enum group_state state = GROUP_FAILED;

	if (stats_list(&g->dev, g->list_all ? "" : g->program_id,
	    &listing) != 0) {
		snprintf(why, whylen, "%s: cannot list dm-stats regions: %s",
		    g->dev.name, strerror(errno));
		return GROUP_FAILED;
	}
	switch (ownership_check(&listing, &known, why, whylen)) {
	case UNGROUPED:
		state = GROUP_GONE;
		break;
	case FOREIGN:
		state = GROUP_FOREIGN;
		break;
	case OWNED:
		if (descriptor_parse(g->descriptor, &d) != 1 ||
		    collect_members(g, &listing, &d) != 0)
			snprintf(why, whylen, "out of memory");
		else
			state = GROUP_PRESENT;
		descriptor_free(&d);
		break;
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

int
group_is_stale(const struct group *g)
{
	return g->n_listed != g->n_members;
}

void
group_close(struct group *g)
{
	stats_device_close(&g->dev);
	free(g->program_id);
	free(g->create_options);
	free(g->alias);
	free(g->user_aux);
	free(g->descriptor);
	free(g->members);
	memset(g, 0, sizeof(*g));
}
