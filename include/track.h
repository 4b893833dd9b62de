/*
 * The followed file's identity as the monitor keeps it: the end of a
 * deleted file (inode mode) and a file replaced at the path (path mode).
 */
#ifndef DMFILEMAPD_TRACK_H
#define DMFILEMAPD_TRACK_H

#include <stdint.h>

struct monitor;

/*
 * Inode mode: once the file has no name left, ends the monitor unless
 * another process holds it, and then watches for that holder's close.
 */
void track_unlinked(struct monitor *m);

/*
 * Path mode: follows a file that took the path; ends the monitor when the
 * path stays empty or names something unusable.  Returns 0 when the pass
 * may go on with m->fd.
 */
int track_path(struct monitor *m, int64_t now);

#endif
