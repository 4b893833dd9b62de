/*
 * The event loop's dealings with the device's other daemons and users
 * (peers.c): the claim on the group's id, the prompts that come through
 * it, and the device's watcher (watcher.h).  For monitor.c alone.
 */
#ifndef DMFILEMAPD_PEERS_H
#define DMFILEMAPD_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "claim.h"
#include "monitor.h"

/* Ends the loop: the work is over, with this exit status (monitor.c). */
void monitor_finish(struct monitor *m, int status);

/*
 * Whether this daemon watches every close of the control node itself,
 * as the device's watcher or alone; if not, the watcher prompts it.
 */
int peers_watches_control(const struct monitor *m);

/* Takes this daemon's part among the device's daemons, and its watches. */
void peers_join(struct monitor *m);

/* A daemon of the device closed the lock file: maybe the watcher's. */
void peers_take_over(struct monitor *m, int64_t now);

/* The watcher's survey for the others, before its own check. */
void peers_survey(struct monitor *m, int64_t taken_after);

/* The watcher saw the group change in a listing taken after seen. */
void peers_prompted(struct monitor *m, int64_t seen, int64_t now);

/* Acts on where an attempt to claim the group's id has got to. */
void peers_claim_settled(struct monitor *m, enum claim_state state);

/*
 * Claims the group at start-up: 0 when held, 1 when another daemon
 * follows it, -1 with one line in err.
 */
int peers_claim_at_start(struct monitor *m, char *err, size_t errlen);

#endif
