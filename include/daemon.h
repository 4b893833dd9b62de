/* Start-up checks of the file, naming the process, and leaving the caller behind. */
#ifndef DMFILEMAPD_DAEMON_H
#define DMFILEMAPD_DAEMON_H

#include <sys/stat.h>

#include "cli.h"
#include "fault.h"
#include "target.h"

/*
 * Checks that fd is an open, readable regular file whose data lies on a
 * device-mapper device (target.h): device, when it is not 0.  Fills st
 * and targets.  Returns 0, or
 * -1 with the refusal in f naming the argument as what ("FD 3",
 * "FILE '/x'").
 */
int daemon_check_file(int fd, const char *what, dev_t device,
    struct stat *st, struct target_set *targets, struct fault *f);

/*
 * Checks that opt->path names the file open as opt->fd, whose fstat is
 * file: in either mode, a path naming nothing or another file is a
 * mistake, or a race with a rename that makes the path meaningless.
 * Returns 0, or -1 with the refusal in f naming ABS_PATH.
 */
int daemon_check_path(const struct options *opt, const struct stat *file,
    struct fault *f);

/*
 * The forms that name FILE (--create, --groupid): opens opt->file
 * read-only as opt->fd, and makes opt->path its absolute path, in abs
 * (PATH_MAX bytes).  Returns 0, or -1 with the refusal in f naming FILE.
 */
int daemon_open_file(struct options *opt, char *abs, struct fault *f);

/*
 * Names the process dmfilemapd, as ps -C, pgrep and pkill look for it,
 * whatever name it was started by.
 */
void daemon_set_name(void);

/* Closes every inherited fd but stdio and keep, which is above stdio. */
void daemon_close_inherited(int keep);

/*
 * Forks; the parent exits 0, the child leaves the caller's session and
 * working directory, puts stdio on /dev/null and logs to syslog from then
 * on.  Called only once start-up has succeeded, so that every start-up
 * error reached the caller.  Returns 0 in the child, or -1 with what
 * failed in f.
 */
int daemon_detach(struct fault *f);

/* Runs this program again with argv; returns only when that failed (errno). */
void daemon_exec_self(char *const argv[]);

#endif
