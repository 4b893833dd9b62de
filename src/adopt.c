/*
 * The proof that a group named by its id maps the file: see adopt.h.  A
 * region past the file's data is another file's, or the file shrank or
 * moved since the group was made: either way the group cannot be told
 * from someone else's, and is left alone.
 */
#include <inttypes.h>

#include "adopt.h"
#include "fault.h"
#include "fiemap.h"
#include "ownership.h"

int
adopt_check(int fd, const struct target *t, const struct group *g,
    const char *arg, const char *path, struct fault *f)
{
	struct file_map map = { 0 };
	const struct region *outside;
	size_t i;

	if (target_read_map(fd, t, &map) != 0)
		return fault(f, "FILE '%s': cannot read its extents", path);
	i = ownership_outside_file(g->members, g->n_members, map.ranges,
	    map.count);
	file_map_free(&map);
	if (i == g->n_members)
		return 0;
	outside = &g->members[i];
	return faultx(f, "%s %" PRIu64 ": the group on %s does not map '%s': "
	    "its region %" PRIu64 " (sectors %" PRIu64 "+%" PRIu64 ") covers "
	    "sectors that are not the file's", arg, g->id, g->dev.name, path,
	    outside->id, outside->start, outside->len);
}
