/*
 * Following a group made before (dmfilemapd --groupid ID FILE): a person
 * typed the id, and a mistyped one must never make the daemon rewrite
 * another file's group.
 */
#ifndef DMFILEMAPD_ADOPT_H
#define DMFILEMAPD_ADOPT_H

#include "fault.h"
#include "group.h"
#include "target.h"

/*
 * Whether the group g, as group_open read it, maps the file open as fd on
 * t's device: every member lies within the file's data (ownership.h).
 * The file may have grown since the group was made; the first pass covers
 * that.  Returns 0, or -1 with the refusal in f naming the group as the
 * argument arg gave it, and why, path naming the file.
 */
int adopt_check(int fd, const struct target *t, const struct group *g,
    const char *arg, const char *path, struct fault *f);

#endif
