/*
 * The group as the kernel keeps it: its leader's descriptor and its
 * members, read and checked against what this daemon knows (apply.c
 * changes them).  A check reads the device's listing that the daemons of
 * the device share (listshare.c), and of it only the group's own rows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "fault.h"
#include "group.h"
#include "leader.h"
#include "listing.h"
#include "listshare.h"
#include "log.h"
#include "ownership.h"
#include "rows.h"
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
	g->alias_form = d->form;
	g->user_aux = user_aux;
	g->descriptor = descriptor;
	return 0;
}

/* A group renamed (dm_stats_set_alias) keeps its new alias from now on. */
static int
take_alias(struct group *g, const struct descriptor *d)
{
	char *alias;

	if (strcmp(g->alias, d->alias) == 0 && g->alias_form == d->form)
		return 0;
	if ((alias = strdup(d->alias)) == NULL)
		return -1;
	log_info(VERB_LIFECYCLE, "%s: group %" PRIu64 " is now called '%s'",
	    g->dev.name, g->id, alias);
	free(g->alias);
	g->alias = alias;
	g->alias_form = d->form;
	return 0;
}

/* How many members that were are not among those now, by id. */
static size_t
count_lost(const struct region *were, size_t n_were, const struct region *now,
    size_t n_now)
{
	size_t i, lost = 0;

	for (i = 0; i < n_were; i++)
		if (bsearch(&were[i], now, n_now, sizeof(*now),
		    compare_ids) == NULL)
			lost++;
	return lost;
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
	if (n != g->n_members || (n > 0 &&
	    memcmp(members, g->members, n * sizeof(*members)) != 0))
		g->members_gen++;
	g->n_lost = count_lost(g->members, g->n_members, members, n);
	free(g->members);
	g->members = members;
	g->n_members = n;
	g->n_listed = d->n_members;
	return 0;
}

int
group_open(struct group *g, const struct stats_device *dev, const char *arg,
    uint64_t id, uint64_t ino, struct fault *f)
{
	const struct listed_region *leader;
	struct descriptor d;
	struct listing listing;
	int r = -1;

	memset(g, 0, sizeof(*g));
	g->id = id;
	g->file_ino = ino;
	g->dev = *dev;
	if (stats_list(&g->dev, "", &listing) != 0)
		return fault(f, "%s: cannot list dm-stats regions",
		    g->dev.name);
	leader = leader_find(&listing, arg, id, g->dev.name, &d, f);
	if (leader != NULL) {
		/* What the group is now is what later checks compare with. */
		if (copy_leader_settings(g, leader, &d) == 0 &&
		    collect_members(g, &listing, &d) == 0)
			r = 0;
		else
			faultx(f, "out of memory");
		descriptor_free(&d);
	}
	listing_free(&listing);
	return r;
}

void
group_share_listings(struct group *g, const char *dir)
{
	g->share_dir = dir;
}

uint64_t
group_id(const struct group *g)
{
	return g->id;
}

const struct stats_device *
group_device(const struct group *g)
{
	return &g->dev;
}

const char *
group_device_name(const struct group *g)
{
	return g->dev.name;
}

/*
 * The ids whose rows a check reads: the leader's and those its descriptor
 * names, ascending.  Returns how many, or -1 when out of memory.
 */
static long
ids_to_read(const struct listing *leader_row, uint64_t leader, uint64_t **ids)
{
	struct descriptor d = { 0 };
	size_t i, n = 0, n_members = 0;

	if (leader_row->count == 1 &&
	    descriptor_parse(leader_row->regions[0].aux, &d) ==
	    DESCRIPTOR_FOUND)
		n_members = d.n_members;
	if ((*ids = calloc(n_members + 1, sizeof(**ids))) == NULL) {
		descriptor_free(&d);
		return -1;
	}
	for (i = 0; i < n_members && d.members[i] < leader; i++)
		(*ids)[n++] = d.members[i];
	(*ids)[n++] = leader;
	for (; i < n_members; i++)
		if (d.members[i] != leader)
			(*ids)[n++] = d.members[i];
	descriptor_free(&d);
	return (long)n;
}

/*
 * The rows of the device's listing that a check of the group needs: the
 * leader's, then the members' its descriptor names, each found by binary
 * search in the stretch of rows that holds them; all rows when they
 * cannot be searched.  *stretch is a copy of the first stretch read, or
 * NULL; *as_seen says it is the one the last check found the group in,
 * and then nothing else is read.
 */
static int
read_group_rows(const struct group *g, struct listshare *all,
    struct listing *out, char **stretch, bool *as_seen)
{
	struct listing leader;
	const char *rows;
	uint64_t *ids, lo = g->id, hi = g->id;
	size_t len;
	long n;
	int r;

	*stretch = NULL;
	*as_seen = false;
	if (!all->ascending)
		return listing_parse(all->text, out);
	/* One stretch holds the group as it was: mostly, as it is. */
	if (g->n_members > 0) {
		lo = g->members[0].id < lo ? g->members[0].id : lo;
		hi = g->members[g->n_members - 1].id > hi ?
		    g->members[g->n_members - 1].id : hi;
	}
	if ((rows = listshare_rows(all, lo, hi, &len)) == NULL)
		return -1;
	if (g->seen_rows != NULL && len == g->seen_len &&
	    memcmp(rows, g->seen_rows, len) == 0) {
		*as_seen = true;
		return 0;
	}
	if ((*stretch = malloc(len + 1)) == NULL)
		return -1;
	memcpy(*stretch, rows, len + 1);
	if (rows_select(rows, len, &g->id, 1, &leader) != 0)
		return -1;
	n = ids_to_read(&leader, g->id, &ids);
	listing_free(&leader);
	if (n < 0)
		return -1;
	if (ids[0] < lo || ids[n - 1] > hi)
		rows = listshare_rows(all, ids[0], ids[n - 1], &len);
	r = rows == NULL ? -1 : rows_select(rows, len, ids, (size_t)n, out);
	free(ids);
	return r;
}

/* The group's rows as this check found it: the next finds it so or not. */
static void
remember_rows(struct group *g, char *stretch)
{
	free(g->seen_rows);
	g->seen_rows = stretch;
	g->seen_len = stretch != NULL ? strlen(stretch) : 0;
}

/*
 * Rows as the last check found them, with nothing written since, give
 * what they gave then: the group is present and as it is known.
 */
enum group_state
group_refresh(struct group *g, struct listing_need need, struct fault *f)
{
	struct known_group known = {
		.id = g->id, .descriptor = g->descriptor,
		.program_id = g->program_id, .options = g->create_options,
		.members = g->members, .n_members = g->n_members,
	};
	const struct listed_region *leader;
	struct descriptor d = { 0 };
	struct listshare all;
	struct listing listing;
	enum group_state state = GROUP_FAILED;
	char *text = NULL, *stretch;
	int r, err;
	bool as_seen;

	if (listshare_get(&g->dev, g->share_dir, need, &all) != 0)
		return GROUP_FAILED;
	g->n_lost = 0;
	r = read_group_rows(g, &all, &listing, &stretch, &as_seen);
	err = errno;
	listshare_release(&all);
	if (r == 0 && as_seen)
		return GROUP_PRESENT;
	if (r != 0) {
		free(stretch);
		errno = err;
		return GROUP_FAILED;
	}
	switch (ownership_check(&listing, &known, f)) {
	case UNGROUPED:
		state = GROUP_GONE;
		break;
	case FOREIGN:
		state = GROUP_FOREIGN;
		break;
	case OWNED:
		/*
		 * The descriptor may have lost members, or been given a new
		 * alias: it is what we know now.
		 */
		leader = listing_find(&listing, g->id);
		if ((text = strdup(leader->aux)) == NULL ||
		    descriptor_parse(text, &d) != DESCRIPTOR_FOUND ||
		    take_alias(g, &d) != 0 ||
		    collect_members(g, &listing, &d) != 0)
			err = ENOMEM;	/* the descriptor read as OWNED */
		else {
			free(g->descriptor);
			g->descriptor = text;
			text = NULL;
			state = GROUP_PRESENT;
		}
		free(text);
		descriptor_free(&d);
		break;
	}
	remember_rows(g, state == GROUP_PRESENT ? stretch : NULL);
	if (state != GROUP_PRESENT)
		free(stretch);
	listing_free(&listing);
	errno = err;
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
	free(g->seen_rows);
	memset(g, 0, sizeof(*g));
}
