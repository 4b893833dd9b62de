/*
 * The event loop: one poll() over an inotify fd, a timerfd and a signalfd
 * (and in path mode the mount table).
 * A change to the file starts a sync pass at once; bursts are coalesced;
 * another process's use of device-mapper prompts a group check; quiet
 * periods cost one check a minute.
 */
#ifndef DMFILEMAPD_MONITOR_H
#define DMFILEMAPD_MONITOR_H

#include <stdint.h>
#include <sys/stat.h>

#include "claim.h"
#include "cli.h"
#include "fiemap.h"
#include "group.h"
#include "sources.h"
#include "sync.h"
#include "watch.h"

/* Intervals in milliseconds; the manual page documents them. */
#define PASS_GAP_MS	50	/* least time between passes during a burst */
#define RECHECK_MS	200	/* while data awaits allocation, or the path is empty */
#define GROUP_CHECK_MS	60000	/* how often a quiet daemon checks its group unprompted */
#define UNWATCHED_CHECK_MS 5000	/* the same, when the dm control node cannot be watched */
#define CONTROL_GAP_MS	250	/* least time between checks prompted by dm activity */


struct monitor {
	const struct options *opt;
	int fd;			/* the followed file */
	struct stat file;	/* its identity */
	struct group group;
	struct sync sync;	/* the pass's own state */

	struct watch watch;	/* inotify, and the mount table */
	int timer_fd, signal_fd;
	struct claim claim;	/* holds the group against a second daemon */

	int64_t pass_due;	/* when the next pass runs, or NEVER */
	int64_t group_due;	/* when the group must next be checked */
	int64_t group_checked;	/* when it last was */
	int64_t last_pass;
	int64_t missing_since;	/* path mode: since when the path is empty */
	int unlinked;		/* inode mode: the file has lost its last name */
	int failures;		/* passes failed in a row */

	int done;
	int exit_status;
};

/*
 * Binds to the group, sets up the event sources and runs the first pass.
 * On failure writes one line into err and returns -1.
 */
int monitor_start(struct monitor *m, const struct options *opt,
    const struct stat *file, char *err, size_t errlen);

/* Runs until the work is over; returns the exit status. */
int monitor_run(struct monitor *m);

void monitor_close(struct monitor *m);

#endif
