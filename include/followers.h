/* The daemons of the file's other groups, one each (see followers.c). */
#ifndef DMFILEMAPD_FOLLOWERS_H
#define DMFILEMAPD_FOLLOWERS_H

#include "cli.h"
#include "create.h"

/*
 * Starts the daemon of group g of the file opt names, with opt's settings.
 * In the background, waits until it runs: returns 0, 1 when its start
 * failed (it said why), or -1 with errno set when it could not be started.
 * In the foreground it runs beside the caller: 0, or -1 with errno set.
 */
int followers_start(const struct options *opt, const struct created_group *g);

#endif
