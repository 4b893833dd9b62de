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

/* Intervals in milliseconds; the manual page documents them. */
#define PASS_GAP_MS	50	/* least time between passes during a burst */
#define RECHECK_MS	200	/* while data awaits allocation, or the path is empty */
#define GROUP_CHECK_MS	60000	/* how often a quiet daemon checks its group unprompted */
#define UNWATCHED_CHECK_MS 5000	/* the same, when the dm control node cannot be watched */
#define CONTROL_GAP_MS	250	/* least time between checks prompted by dm activity */
#define PATH_GRACE_MS	1000	/* how long the path may stay empty */
#define EMPTY_GRACE_MS	1000	/* how long the file may stay without data */

#define NEVER INT64_MAX

struct monitor {
	const struct options *opt;
	int fd;			/* the followed file */
	struct stat file;	/* its identity */
	struct group group;
	struct file_map map;	/* as read by the latest pass */
	struct file_map synced;	/* as the group was last made to match */
	int have_synced;
	int group_known;	/* the group is as the last pass left it */
	unsigned int cap;	/* regions per extent */

	int inotify_fd, file_wd, dir_wd, control_wd, timer_fd, signal_fd;
	int mounts_fd;		/* /proc/self/mountinfo, polled for changes */
	struct claim claim;	/* holds the group against a second daemon */
	char *dir;		/* path mode: the directory watched for replacements */
	const char *base;	/* path mode: the file's name in it */

	int64_t pass_due;	/* when the next pass runs, or NEVER */
	int64_t group_due;	/* when the group must next be checked */
	int64_t group_checked;	/* when it last was */
	int64_t last_pass;
	int64_t missing_since;	/* path mode: since when the path is empty */
	int64_t empty_since;	/* since when the file has looked empty */
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

/* Ends the loop: the work is over, with this exit status. */
void monitor_finish(struct monitor *m, int status);

/* Records a group check that found all well, and sets the next one. */
void monitor_group_checked(struct monitor *m, int64_t now);

void monitor_close(struct monitor *m);

#endif
