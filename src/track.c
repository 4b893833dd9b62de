/*
 * Keeping hold of the right file: see track.h.  Messages say what was
 * found; the loop decides what follows.
 */
#include <inttypes.h>
#include <unistd.h>

#include "log.h"
#include "probe.h"
#include "track.h"

/* /proc is read only here, after the link count reached zero. */
enum track_state
track_unlinked(int fd, const struct stat *file, const char *path,
    uint64_t group_id, bool unlinked)
{
	if (probe_link_count(fd) != 0)
		return TRACK_GOES_ON;
	if (probe_held_elsewhere(file) == HELD_BY_NONE) {
		log_info(VERB_LIFECYCLE, "%s was deleted and nothing else holds "
		    "it: exiting, group %" PRIu64 " left as it is", path,
		    group_id);
		return TRACK_ENDED;
	}
	if (unlinked)
		return TRACK_GOES_ON;
	log_info(VERB_LIFECYCLE, "%s was deleted but is still open elsewhere: "
	    "following it until it is closed", path);
	return TRACK_HELD_ELSEWHERE;
}

/* A file that replaced the one followed, e.g. by `mv new path`, opened. */
static enum track_state
switch_file(const char *path, const struct stat *file,
    struct track_result *found)
{
	struct stat st;
	int fd = probe_open(path, &st);

	if (fd < 0)
		return TRACK_WAIT;
	if (st.st_dev != file->st_dev || !S_ISREG(st.st_mode)) {
		close(fd);	/* replaced again meanwhile: the next pass decides */
		return TRACK_WAIT;
	}
	found->fd = fd;
	found->file = st;
	log_info(VERB_LIFECYCLE, "%s was replaced: following the new file "
	    "(inode %lu)", path, (unsigned long)st.st_ino);
	return TRACK_SWITCHED;
}

struct track_result
track_path(const char *path, uint64_t group_id, const struct stat *file,
    msec_t missing_since, msec_t now)
{
	struct track_result found = { .state = TRACK_FAILED, .fd = -1,
	    .missing_since = NEVER };

	switch (probe_path_state(path, file)) {
	case PATH_SAME:
		found.state = TRACK_GOES_ON;
		break;
	case PATH_REPLACED:
		found.state = switch_file(path, file, &found);
		break;
	case PATH_MISSING:
		found.state = TRACK_WAIT;
		found.missing_since = missing_since;
		if (missing_since == NEVER) {
			found.missing_since = now;
			log_info(VERB_LIFECYCLE, "no file at %s: waiting %d ms "
			    "for one", path, PATH_GRACE_MS);
		} else if (now - missing_since >= PATH_GRACE_MS) {
			log_info(VERB_LIFECYCLE, "no file at %s for %d ms: "
			    "exiting, group %" PRIu64 " left as it is", path,
			    PATH_GRACE_MS, group_id);
			found.state = TRACK_ENDED;
		}
		break;
	case PATH_OTHER_DEVICE:
		log_errorx("%s now names a file on another device, whose "
		    "extents mean nothing to group %" PRIu64 ": exiting", path,
		    group_id);
		break;
	case PATH_NOT_REGULAR:
		log_errorx("%s is no longer a regular file: exiting", path);
		break;
	}
	return found;
}

int
track_mounted(const struct stat *file, const char *path, uint64_t group_id)
{
	if (probe_fs_mounted(file->st_dev) != FS_UNMOUNTED)
		return 1;
	/* Unusual enough to be shown at any verbosity. */
	log_warnx("%s: its file system is no longer mounted: "
	    "exiting, group %" PRIu64 " left as it is", path, group_id);
	return 0;
}

int
track_same_size(int fd, off_t *size_seen)
{
	struct stat st;
	int same;

	if (fstat(fd, &st) != 0)
		return 0;
	same = st.st_size == *size_seen;
	*size_seen = st.st_size;
	return same;
}
