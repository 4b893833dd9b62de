/* One sync pass: the file's extents read, and the group brought in line. */
#ifndef DMFILEMAPD_SYNC_H
#define DMFILEMAPD_SYNC_H

#include <stdint.h>

#include "monitor.h"

enum pass_result {
	PASS_DONE,		/* the group matches the file */
	PASS_AGAIN,		/* look again soon: data awaits allocation */
	PASS_FAILED,		/* a step failed: try again later */
};

/*
 * Reads the file's extents.  When they changed since the group was last
 * made to match, or when check_group is set, re-reads the group and applies
 * the plan.  Sets m->done when the work is over (group gone, file empty).
 */
enum pass_result sync_pass(struct monitor *m, int check_group, int64_t now);

#endif
