/*
 * The event loop: one poll() over an inotify fd, a timerfd and a signalfd
 * (and in path mode the mount table).
 * A change to the file starts a sync pass at once; bursts are coalesced;
 * another process's use of device-mapper prompts a group check; quiet
 * periods cost one check a minute.
 */
#ifndef DMFILEMAPD_MONITOR_H
#define DMFILEMAPD_MONITOR_H

#include <stdbool.h>
#include <sys/stat.h>

#include "claim.h"
#include "cli.h"
#include "clock.h"
#include "fault.h"
#include "fiemap.h"
#include "group.h"
#include "notify.h"
#include "schedule.h"
#include "sync.h"
#include "target.h"
#include "watcher.h"

struct monitor {
	const struct options *opt;
	int fd;			/* the followed file */
	struct stat file;	/* its identity */
	struct target target;	/* the device its group is on */
	struct group group;
	struct file_map layout;	/* its extents, read for each pass */
	struct sync sync;	/* the pass's own state */

	struct notify notify;	/* inotify, and the mount table */
	int timer_fd, signal_fd;
	struct claim claim;	/* holds the group against a second daemon */
	struct watcher watcher;	/* one daemon of the device watches for all */

	struct schedule when;	/* when the next pass and group check are due */
	nsec_t control_seen;	/* others' dm use unchecked since, or NEVER */
	nsec_t group_seen;	/* when the group was last found in step */
	nsec_t pass_ended;	/* when this daemon last wrote, at the latest */
	msec_t missing_since;	/* path mode: since when the path is empty */
	bool unlinked;		/* inode mode: the file has lost its last name */
	off_t size_seen;	/* the file's size at its last write event */

	bool done;
	enum exit_status exit_status;
};

/*
 * Binds to the group on the target's device, sets up the event sources and
 * runs the first pass.  Returns 0, or -1 with the refusal in f.
 */
int monitor_start(struct monitor *m, const struct options *opt,
    const struct stat *file, const struct target *target, struct fault *f);

/* Whether the work is over already: monitor_run returns at once. */
bool monitor_done(const struct monitor *m);

/* Runs until the work is over; returns the exit status. */
enum exit_status monitor_run(struct monitor *m);

void monitor_close(struct monitor *m);

#endif
