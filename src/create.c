/*
 * The creation form: a new group over the file's extents, made as `dmstats
 * create --filemap` makes one (program "dmstats", one single-area region
 * per device range, the descriptor on the lowest, its alias written as the
 * installed libdevmapper writes it), where dmstats starts no daemon or
 * cannot map the file.  The daemon then follows it as it follows any group.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create.h"
#include "daemon.h"
#include "descriptor.h"
#include "devmapper.h"
#include "fault.h"
#include "fiemap.h"
#include "log.h"
#include "ownership.h"
#include "plan.h"
#include "stats.h"
#include "target.h"

#define PROGRAM_ID "dmstats"
#define NO_AUX "-"
#define NS_PER_MS 1000000

/*
 * The kernel's words for the settings: boundaries in milliseconds, or in
 * nanoseconds with precise timestamps, which a boundary that is no whole
 * number of milliseconds needs (as dmstats decides too).
 */
static int
format_settings(const struct options *opt, char *buf, size_t len)
{
	bool precise = opt->precise;
	int n = 0;
	size_t i, used = 0;

	for (i = 0; i < opt->n_bounds; i++)
		if (opt->bounds[i] % NS_PER_MS != 0)
			precise = true;
	buf[0] = '\0';
	if (precise) {
		used = (size_t)snprintf(buf, len, "precise_timestamps");
		n++;
	}
	for (i = 0; i < opt->n_bounds && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%" PRIu64,
		    i == 0 ? (n ? " histogram:" : "histogram:") : ",",
		    precise ? opt->bounds[i] : opt->bounds[i] / NS_PER_MS);
	return opt->n_bounds > 0 ? n + 1 : n;
}

/* The file's name, as dmstats names a group by default. */
static const char *
default_alias(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash != NULL ? slash + 1 : file;
}

/*
 * Deletes what this run created: the ids are the kernel's answers to it.
 * What cannot be deleted is left, and said here: the refusal that follows
 * is what the caller reads.
 */
static void
undo(const struct stats_device *dev, const uint64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (stats_delete(dev, ids[i]) != 0)
			log_error("%s: cannot delete region %" PRIu64 ", created "
			    "for the group that was not made", dev->name,
			    ids[i]);
}

/*
 * Until the descriptor names them, regions other than the first carry the
 * tag of apply.c, naming the first's id: a run killed midway leaves
 * regions that say whose they are.  Returns how many were created; fewer
 * than planned with the refusal in f.
 */
static size_t
create_regions(const struct stats_device *dev, const struct plan *plan,
    const char *settings, int n_settings, uint64_t ino, uint64_t *ids,
    struct fault *f)
{
	char tag[OWNERSHIP_TAG_MAX];
	size_t i;

	for (i = 0; i < plan->n_create; i++) {
		if (i == 1)
			ownership_tag(tag, sizeof(tag), ids[0], ino);
		if (stats_create(dev, &plan->create[i], settings, n_settings,
		    PROGRAM_ID, i == 0 ? NO_AUX : tag, &ids[i]) != 0) {
			fault(f, "%s: cannot create a region at %" PRIu64 "+%"
			    PRIu64, dev->name, plan->create[i].start,
			    plan->create[i].len);
			break;
		}
	}
	return i;
}

/*
 * Names the members on the lowest, then clears the others' tags, so that
 * the group reads as dmstats leaves one.  Returns 0, or -1 with the
 * refusal in f.  A tag that stays harms nobody: that is decided, and said,
 * here.
 */
static int
write_group(const struct stats_device *dev, const struct options *opt,
    const struct plan *plan, uint64_t *ids, const char *settings,
    struct fault *f)
{
	const char *alias = opt->alias ? opt->alias : default_alias(opt->file);
	size_t i, n = plan->n_create, lowest = 0;
	char *aux;
	int r = -1;

	for (i = 1; i < n; i++)
		if (ids[i] < ids[lowest])
			lowest = i;
	qsort(ids, n, sizeof(*ids), compare_ids);
	if ((aux = descriptor_format(dev->alias_form, alias, ids, n, NULL)) ==
	    NULL)
		faultx(f, "out of memory");
	else if (!descriptor_row_fits(ids[0], &plan->create[lowest],
	    plan->create[lowest].len, PROGRAM_ID, aux, settings))
		faultx(f, "FILE '%s': the group's member list would be too "
		    "long for libdevmapper to list", opt->file);
	else if (stats_set_aux(dev, ids[0], aux) != 0)
		fault(f, "%s: cannot write the group descriptor on region %"
		    PRIu64, dev->name, ids[0]);
	else
		r = 0;
	free(aux);
	for (i = 1; r == 0 && i < n; i++)
		if (stats_set_aux(dev, ids[i], NO_AUX) != 0)
			log_warn("%s: region %" PRIu64 " keeps its creation "
			    "tag", dev->name, ids[i]);
	return r;
}

/*
 * Makes the group; prints dmstats' line, naming the device when the file
 * has groups on several.  Returns 0 with the members' ids in *ids (*n of
 * them, malloc'd, lowest first); on failure deletes what it created and
 * returns -1 with the refusal in f.
 */
static int
make_group(const struct stats_device *dev, const struct options *opt,
    const struct file_map *map, const char *settings, int n_settings,
    uint64_t ino, bool name_device, uint64_t **ids, size_t *n,
    struct fault *f)
{
	struct plan plan;
	size_t made;

	/* With no region to keep, the cap has nothing to merge. */
	if (plan_make(map->ranges, map->count, NULL, 0,
	    REGIONS_PER_EXTENT_DEFAULT, HEAT_READ, &plan) != PLAN_OK)
		return faultx(f, "out of memory");
	if ((*ids = calloc(plan.n_create, sizeof(**ids))) == NULL) {
		plan_free(&plan);
		return faultx(f, "out of memory");
	}
	made = create_regions(dev, &plan, settings, n_settings, ino, *ids, f);
	*n = made;
	if (made == plan.n_create &&
	    write_group(dev, opt, &plan, *ids, settings, f) == 0) {
		printf("%s: Created new group with %zu region(s) as group ID %"
		    PRIu64 "%s%s.\n", opt->file, made, (*ids)[0],
		    name_device ? " on " : "", name_device ? dev->name : "");
		fflush(stdout);
		plan_free(&plan);
		return 0;
	}
	undo(dev, *ids, made);
	free(*ids);
	*ids = NULL;
	plan_free(&plan);
	return -1;
}

/*
 * The group that --create would make and that is there already: after a
 * restart of the daemon or of its service, or made by dmstats.  When one
 * is found, *group_id is set and dmstats' kind of line printed;
 * FILE_GROUP_FAILED comes with the refusal in f.
 */
static enum file_group
find_group(const struct stats_device *dev, const struct options *opt,
    const struct file_map *map, const char *settings, bool name_device,
    uint64_t *group_id, struct fault *f)
{
	struct file_group_settings want = { PROGRAM_ID, settings,
	    opt->alias ? opt->alias : default_alias(opt->file) };
	struct listing listing;
	enum file_group found;

	if (stats_list(dev, "", &listing) != 0) {
		fault(f, "%s: cannot list dm-stats regions", dev->name);
		return FILE_GROUP_FAILED;
	}
	found = ownership_file_group(&listing, map->ranges, map->count, &want,
	    group_id);
	listing_free(&listing);
	if (found == FILE_GROUP_FAILED)
		faultx(f, "out of memory");
	if (found == FILE_GROUP_FOUND) {
		printf("%s: Following its group made before as group ID %"
		    PRIu64 "%s%s.\n", opt->file, *group_id,
		    name_device ? " on " : "", name_device ? dev->name : "");
		fflush(stdout);
	}
	return found;
}

/* One target's part of the work: its device, the file's ranges there. */
struct device_work {
	struct stats_device dev;
	bool open;
	struct file_map map;
	uint64_t *made;		/* the ids of the group made on it */
	size_t n_made;
};

/*
 * Opens every target's device and reads the file's ranges there.  Returns
 * how many targets hold some of the file's data; -1 with the refusal in f.
 */
static int
read_maps(const struct options *opt, const struct target_set *targets,
    struct device_work *work, struct fault *f)
{
	bool unmappable = false;
	size_t i;
	int holding = 0;

	for (i = 0; i < targets->n; i++) {
		if (devmapper_open(&work[i].dev, targets->each[i].devno, f) != 0)
			return -1;
		work[i].open = true;
		if (target_read_map(opt->fd, &targets->each[i],
		    &work[i].map) != 0)
			return fault(f, "FILE '%s': cannot read its extents",
			    opt->file);
		unmappable |= work[i].map.unmappable;
		holding += work[i].map.count > 0;
	}
	if (holding == 0)
		return faultx(f, "FILE '%s' has no data on the device%s",
		    opt->file, unmappable ? " that can be counted (only "
		    "inline data, or data whose place there is not told)" :
		    "");
	return holding;
}

/* Finds or makes the group on one target; -1 with the refusal in f. */
static int
take_group(const struct options *opt, const struct stat *st,
    struct device_work *w, const char *settings, int n_settings,
    bool name_device, struct created_group *g, struct fault *f)
{
	switch (find_group(&w->dev, opt, &w->map, settings, name_device,
	    &g->id, f)) {
	case FILE_GROUP_FOUND:
		g->found = true;
		return 0;
	case FILE_GROUP_NONE:
		g->found = false;
		if (make_group(&w->dev, opt, &w->map, settings, n_settings,
		    (uint64_t)st->st_ino, name_device, &w->made, &w->n_made,
		    f) != 0)
			return -1;
		g->id = w->made[0];
		return 0;
	default:
		return -1;
	}
}

int
create_groups(const struct options *opt, const struct stat *st,
    const struct target_set *targets, struct created_groups *groups,
    struct fault *f)
{
	char settings[BOUNDS_MAX * 24 + 32];
	int n_settings = format_settings(opt, settings, sizeof(settings));
	struct device_work work[TARGETS_MAX];
	const char *why;
	size_t i;
	int r = -1;

	groups->n = 0;
	if (opt->alias == NULL &&
	    (why = descriptor_alias_fault(devmapper_alias_form(),
	    default_alias(opt->file))) != NULL)
		return faultx(f, "FILE '%s': its name, the group's alias "
		    "unless --alias gives one, %s", opt->file, why);
	memset(work, 0, sizeof(work));
	/* Data still in delayed allocation has no place yet: give it one. */
	if (fdatasync(opt->fd) != 0)
		log_warn("FILE '%s': cannot write its data out", opt->file);
	if (read_maps(opt, targets, work, f) > 0) {
		for (i = 0; i < targets->n; i++) {
			if (work[i].map.count == 0)
				continue;
			groups->each[groups->n].target = targets->each[i];
			if (take_group(opt, st, &work[i], settings, n_settings,
			    targets->n > 1, &groups->each[groups->n], f) != 0)
				break;
			groups->n++;
		}
		r = i == targets->n ? 0 : -1;
	}
	/* One group that cannot be made undoes those made with it. */
	for (i = 0; i < targets->n; i++) {
		if (r != 0 && work[i].made != NULL)
			undo(&work[i].dev, work[i].made, work[i].n_made);
		free(work[i].made);
		file_map_free(&work[i].map);
		if (work[i].open)
			stats_device_close(&work[i].dev);
	}
	if (r != 0)
		groups->n = 0;
	return r;
}

/*
 * The group made, the daemon runs as dmstats would have started it: one
 * command line for ps(1) and for whatever looks for the group's daemon.
 */
int
create_hand_over(const struct options *opt)
{
	char fd[16], id[24], foreground[8], verbose[8];
	char *argv[] = { "dmfilemapd", fd, id, (char *)opt->path,
	    (char *)follow_mode_name(opt->mode), foreground, verbose, NULL };
	int flags = fcntl(opt->fd, F_GETFD), err;

	snprintf(fd, sizeof(fd), "%d", opt->fd);
	snprintf(id, sizeof(id), "%" PRIu64, opt->group_id);
	snprintf(foreground, sizeof(foreground), "%d", opt->foreground);
	snprintf(verbose, sizeof(verbose), "%d", opt->verbose);
	if (flags < 0 || fcntl(opt->fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
		return -1;
	daemon_exec_self(argv);
	err = errno;
	fcntl(opt->fd, F_SETFD, flags);
	errno = err;
	return -1;
}
