/*
 * The creation form of the command line: the group is made here, as
 * `dmstats create --filemap` makes one, before the daemon follows it.
 */
#ifndef DMFILEMAPD_CREATE_H
#define DMFILEMAPD_CREATE_H

#include <stdint.h>
#include <sys/stat.h>

#include "cli.h"
#include "fault.h"
#include "target.h"

/* A group of the file, on one of its targets. */
struct created_group {
	struct target target;
	uint64_t id;
	bool found;		/* made before: to be proven the file's again */
};

struct created_groups {
	struct created_group each[TARGETS_MAX];
	size_t n;
};

/*
 * Makes a group on each of targets that holds some of the data of the file
 * open as opt->fd (whose fstat is st), with the settings opt asks for, and
 * prints dmstats' line saying so; a target where the file has such a
 * group already (ownership_file_group) keeps it, which is said.  Returns
 * 0 with groups filled, in the order of targets; on failure deletes what
 * it created and returns -1 with the refusal in f.
 */
int create_groups(const struct options *opt, const struct stat *st,
    const struct target_set *targets, struct created_groups *groups,
    struct fault *f);

/*
 * Runs this program again with the positional arguments for the group
 * made, as dmstats would start it.  Returns only when that failed: -1
 * with errno set.
 */
int create_hand_over(const struct options *opt);

#endif
