/*
 * The proof that a group named by its id maps the file: see adopt.h.  A
 * region past the file's data is another file's, or the file shrank or
 * moved since the group was made: either way the group cannot be told
 * from someone else's, and is left alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "adopt.h"
#include "fiemap.h"
#include "ownership.h"

int
adopt_check(int fd, const struct target *t, const struct group *g,
    const char *arg, const char *path, char *err, size_t errlen)
{
	struct file_map map = { 0 };
	char why[160];
	int ok;

	if (target_read_map(fd, t, &map) != 0) {
		snprintf(err, errlen, "FILE '%s': cannot read its extents: %s",
		    path, strerror(errno));
		return -1;
	}
	ok = ownership_within_file(g->members, g->n_members, map.ranges,
	    map.count, why, sizeof(why));
	file_map_free(&map);
	if (!ok)
		snprintf(err, errlen, "%s %" PRIu64 ": the group on %s does "
		    "not map '%s': %s", arg, g->id, g->dev.name, path, why);
	return ok ? 0 : -1;
}
