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

/*
 * Makes a group on the target's device over the extents of the file open
 * as opt->fd (whose fstat is st) with the settings opt asks for, and
 * prints dmstats' line saying so; or, when the file has such a group
 * already (ownership_file_group), says so and sets *found.  Returns 0
 * with *group_id set; on failure deletes what it created and returns -1
 * with the refusal in f.
 */
int create_group(const struct options *opt, const struct stat *st,
    const struct target *target, uint64_t *group_id, bool *found,
    struct fault *f);

/*
 * Runs this program again with the positional arguments for the group
 * made, as dmstats would start it.  Returns only when that failed: -1
 * with errno set.
 */
int create_hand_over(const struct options *opt);

#endif
