/*
 * Keeping hold of the right file between passes: in inode mode, noticing
 * that a deleted file is over; in path mode, taking up the file that now
 * has the name, or giving up when none comes.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "follow.h"
#include "log.h"
#include "monitor.h"
#include "track.h"
#include "watch.h"

/*
 * Inode mode: a file with no name left is over once no other process
 * holds it.  /proc is read only here, after the link count reached zero.
 */
void
track_unlinked(struct monitor *m)
{
	int held;

	if (follow_link_count(m->fd) != 0)
		return;
	held = follow_held_elsewhere(&m->file);
	if (held == 0) {
		log_info(VERB_LIFECYCLE, "%s was deleted and nothing else holds "
		    "it: exiting, group %" PRIu64 " left as it is",
		    m->opt->path, m->group.id);
		monitor_finish(m, 0);
	} else if (!m->unlinked) {
		log_info(VERB_LIFECYCLE, "%s was deleted but is still open "
		    "elsewhere: following it until it is closed", m->opt->path);
		m->unlinked = 1;
		if (watch_file(m) != 0)
			log_warn("cannot watch for the file's close: %s",
			    strerror(errno));
	}
}

/* Path mode: follow a file that replaced ours, e.g. by `mv new path`. */
static int
switch_file(struct monitor *m)
{
	struct stat st;
	int fd = follow_open(m->opt->path, &st);

	if (fd < 0)
		return -1;
	if (st.st_dev != m->file.st_dev || !S_ISREG(st.st_mode)) {
		close(fd);	/* replaced again meanwhile: the next pass decides */
		return -1;
	}
	watch_drop_file(m);
	close(m->fd);
	m->fd = fd;
	m->file = st;
	m->sync.have_synced = 0;
	log_info(VERB_LIFECYCLE, "%s was replaced: following the new file "
	    "(inode %lu)", m->opt->path, (unsigned long)st.st_ino);
	if (watch_file(m) != 0)
		log_warn("cannot watch the new file: %s", strerror(errno));
	return 0;
}

/* Returns 0 when the pass may go on with m->fd. */
int
track_path(struct monitor *m, int64_t now)
{
	switch (follow_path_state(m->opt->path, &m->file)) {
	case PATH_SAME:
		m->missing_since = NEVER;
		return 0;
	case PATH_REPLACED:
		m->missing_since = NEVER;
		if (switch_file(m) == 0)
			return 0;
		break;
	case PATH_MISSING:
		if (m->missing_since == NEVER) {
			m->missing_since = now;
			log_info(VERB_LIFECYCLE, "no file at %s: waiting %d ms "
			    "for one", m->opt->path, PATH_GRACE_MS);
		} else if (now - m->missing_since >= PATH_GRACE_MS) {
			log_info(VERB_LIFECYCLE, "no file at %s for %d ms: "
			    "exiting, group %" PRIu64 " left as it is",
			    m->opt->path, PATH_GRACE_MS, m->group.id);
			monitor_finish(m, 0);
			return -1;
		}
		break;
	case PATH_OTHER_DEVICE:
		log_error("%s now names a file on another device, whose "
		    "extents mean nothing to group %" PRIu64 ": exiting",
		    m->opt->path, m->group.id);
		monitor_finish(m, 1);
		return -1;
	case PATH_NOT_REGULAR:
		log_error("%s is no longer a regular file: exiting",
		    m->opt->path);
		monitor_finish(m, 1);
		return -1;
	}
	m->pass_due = now + RECHECK_MS;
	return -1;
}
