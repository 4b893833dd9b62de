/*
 * The loop's state, and what the loop does about each kind of event
 * (react.c).  monitor.c starts the loop, polls and hands each wake-up's
 * events here; only the two of them, and main.c, know struct monitor.
 */
#ifndef DMFILEMAPD_REACT_H
#define DMFILEMAPD_REACT_H

#include <stdbool.h>
#include <sys/stat.h>

#include "claim.h"
#include "cli.h"
#include "clock.h"
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

/* Ends the loop: the work is over, with this exit status. */
void react_finish(struct monitor *m, enum exit_status status);

/*
 * The first pass, which is what makes update_filemap work at all: 0, or
 * -1 when it failed (it said why).
 */
int react_first_pass(struct monitor *m);

/* A pass for what the timetable says is due. */
void react_pass(struct monitor *m, enum due due, msec_t now);

/* Acts on where an attempt to claim the group's id has got to. */
void react_claim(struct monitor *m, enum claim_state state);

/* A question or a prompt came on the claim's socket. */
void react_question(struct monitor *m, msec_t now);

/* Inode mode: whether a file that lost its last name is over. */
void react_unlinked(struct monitor *m);

/* The inotify fd is readable: the file, its name or the control node. */
void react_news(struct monitor *m, msec_t now);

/* The mount table changed. */
void react_mounts(struct monitor *m, msec_t now);

/* The signalfd is readable. */
void react_signals(struct monitor *m, msec_t now);

#endif
