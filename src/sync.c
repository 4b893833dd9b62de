/*
 * The sync pass.  The kernel is only asked about the group when the file's
 * layout changed or a group check is due, so a file that is written in
 * place costs one FIEMAP call per event and nothing else.  Every failure
 * is logged here, where the pass gives up; the result only says so.
 */
#include <inttypes.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "plan.h"
#include "plan_window.h"
#include "sync.h"

static void
log_layout(const struct file_map *map)
{
	size_t i;

	if (log_verbose() < VERB_DEBUG)
		return;
	log_info(VERB_DEBUG, "file: %zu device ranges%s%s", map->count,
	    map->pending ? ", some data not yet allocated" : "",
	    map->unmappable ? ", some data not countable" : "");
	for (i = 0; i < map->count; i++)
		log_info(VERB_DEBUG, "  extent %" PRIu64 "+%" PRIu64,
		    map->ranges[i].start, map->ranges[i].len);
}

static void
log_plan(const struct plan *plan)
{
	size_t i;

	if (log_verbose() < VERB_DEBUG)
		return;
	log_info(VERB_DEBUG, "plan: keep %zu, delete %zu, create %zu",
	    plan->n_keep, plan->n_delete, plan->n_create);
	for (i = 0; i < plan->n_delete; i++)
		log_info(VERB_DEBUG, "  delete %" PRIu64, plan->delete_ids[i]);
	for (i = 0; i < plan->n_create; i++)
		log_info(VERB_DEBUG, "  create %" PRIu64 "+%" PRIu64,
		    plan->create[i].start, plan->create[i].len);
}

/*
 * The plan for the file's layout: of the change since the last pass alone
 * when the group is as that pass left it, else of the whole layout.
 */
static enum plan_status
plan_for(const struct sync *s, const struct file_map *layout,
    const struct group *g, bool as_left, enum heat heat, struct plan *plan)
{
	if (as_left && s->have_synced)
		return plan_change(s->synced.ranges, s->synced.count,
		    layout->ranges, layout->count, g->members, g->n_members,
		    s->cap, heat, plan);
	return plan_make(layout->ranges, layout->count, g->members,
	    g->n_members, s->cap, heat, plan);
}

/*
 * Plans once without counters; reads them only when merges are due.
 * Returns 0, or -1 with the failure logged.
 */
static int
make_plan(const struct sync *s, const struct file_map *layout,
    const struct group *g, bool as_left, struct plan *plan)
{
	enum plan_status status;

	status = plan_for(s, layout, g, as_left, HEAT_UNREAD, plan);
	if (status == PLAN_NEEDS_HEAT) {
		if (group_read_heat(g, g->members, g->n_members,
		    plan->heat_ids, plan->n_heat) != 0) {
			log_error("%s: cannot read region counters",
			    g->dev.name);
			plan_free(plan);
			return -1;
		}
		plan_free(plan);
		status = plan_for(s, layout, g, as_left, HEAT_READ, plan);
	}
	if (status != PLAN_OK) {
		log_errorx("cannot plan the group's regions: out of memory");
		return -1;
	}
	return 0;
}

/*
 * The group is taken as the last pass left it, sparing the listing, unless
 * a group check is due or another process has used the device-mapper
 * control node since (the caller then forgets it and prompts a check).
 * A group that is gone, or is no longer the one this daemon made, is said
 * so here; the caller ends the work without touching it.
 */
static enum group_state
know_group(struct sync *s, struct group *g, bool check_group,
    struct listing_need listing, bool *as_left)
{
	enum group_state state;
	struct fault why;

	*as_left = s->group_known && !check_group;
	s->group_known = false;
	if (*as_left)
		return GROUP_PRESENT;
	switch ((state = group_refresh(g, listing, &why))) {
	case GROUP_PRESENT:
		break;
	case GROUP_GONE:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " was deleted or "
		    "ungrouped: exiting", g->id);
		break;
	case GROUP_FOREIGN:
		log_warnx("group %" PRIu64 " is no longer the group this "
		    "daemon followed (%s): exiting, touching nothing", g->id,
		    why.line);
		break;
	case GROUP_FAILED:
		log_error("%s: cannot check group %" PRIu64, g->dev.name,
		    g->id);
		break;
	}
	return state;
}

static enum pass_result
sync_group(struct sync *s, struct group *g, struct file_map *layout,
    const struct pass_request *req, bool check_group)
{
	struct plan plan;
	struct file_map swap;
	enum group_change r = CHANGE_DONE;
	bool as_left;

	switch (know_group(s, g, check_group, req->listing, &as_left)) {
	case GROUP_PRESENT:
		/*
		 * Members someone else deleted are covered again only once
		 * no more go: `dmstats delete --groupid` deletes the members
		 * one by one, then the leader, and a pass in between must not
		 * bring the group back.
		 */
		if (g->n_lost > 0) {
			log_info(VERB_REGIONS, "%zu members of group %" PRIu64
			    " have gone: looking again before covering their "
			    "ranges", g->n_lost, g->id);
			s->members_going = true;
			return PASS_AGAIN;
		}
		/* Read again and found as the last pass left it. */
		if (s->have_synced && g->members_gen == s->synced_gen)
			as_left = true;
		break;
	case GROUP_FAILED:
		return PASS_FAILED;
	case GROUP_GONE:
	case GROUP_FOREIGN:
		return PASS_GROUP_ENDED;
	}
	if (make_plan(s, layout, g, as_left, &plan) != 0)
		return PASS_FAILED;
	log_plan(&plan);
	if (plan.n_delete > 0 || plan.n_create > 0 || group_is_stale(g)) {
		r = group_apply(g, &plan);
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " updated: %zu "
		    "regions kept, %zu created, %zu deleted", g->id,
		    plan.n_keep, plan.n_create, plan.n_delete);
	}
	plan_free(&plan);
	if (r != CHANGE_DONE)
		return PASS_FAILED;
	/* Keep what the group now matches; the old buffer is reused. */
	swap = s->synced;
	s->synced = *layout;
	*layout = swap;
	s->have_synced = true;
	s->synced_gen = g->members_gen;
	s->group_known = req->control_watched;
	return PASS_DONE;
}

/*
 * A file without data on the device ends the group, as with lvm2's daemon;
 * but a file being rewritten is briefly empty, so it must stay empty for a
 * moment.
 */
static enum pass_result
file_is_empty(struct sync *s, struct group *g, msec_t now)
{
	if (s->empty_since == NEVER)
		s->empty_since = now;
	if (now - s->empty_since < EMPTY_GRACE_MS)
		return PASS_AGAIN;
	log_info(VERB_LIFECYCLE, "%s has no data on the device: removing group %"
	    PRIu64 " and exiting", s->path, g->id);
	group_remove_own(g);
	return PASS_FILE_EMPTY;
}

void
sync_init(struct sync *s, unsigned int cap, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->path = path;
	s->empty_since = NEVER;
}

void
sync_free(struct sync *s)
{
	file_map_free(&s->synced);
}

void
sync_forget_group(struct sync *s)
{
	s->group_known = false;
}

void
sync_forget_layout(struct sync *s)
{
	s->have_synced = false;
}

const struct file_map *
sync_layout(const struct sync *s)
{
	return s->have_synced ? &s->synced : NULL;
}

static bool
layout_changed(const struct sync *s, const struct file_map *layout)
{
	return !s->have_synced || !ranges_equal(layout->ranges, layout->count,
	    s->synced.ranges, s->synced.count);
}

bool
sync_looks_at_group(const struct sync *s, const struct file_map *layout,
    bool check_group)
{
	return layout->count == 0 || check_group || s->members_going ||
	    layout_changed(s, layout);
}

enum pass_result
sync_pass(struct sync *s, struct group *g, struct file_map *layout,
    const struct pass_request *req, bool *checked)
{
	enum pass_result result = PASS_DONE;
	bool changed, check_group, pending = layout->pending;

	*checked = false;
	if (layout->count == 0 && !layout->pending)
		return file_is_empty(s, g, req->now);
	s->empty_since = NEVER;
	/*
	 * Data not yet placed by the filesystem (a file being rewritten) is
	 * waited for: a group cannot be left with no region at all.
	 */
	if (layout->count == 0)
		return PASS_AGAIN;
	changed = layout_changed(s, layout);
	if (changed)
		log_layout(layout);
	/* A pass after members went is a check, whatever prompted it. */
	check_group = req->check_group || s->members_going;
	s->members_going = false;
	if (changed || check_group) {
		result = sync_group(s, g, layout, req, check_group);
		*checked = result == PASS_DONE;
	}
	return result == PASS_DONE && pending ? PASS_AGAIN : result;
}
