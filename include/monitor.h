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

#include "cli.h"
#include "fault.h"
#include "react.h"
#include "target.h"

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
