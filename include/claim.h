/*
 * One daemon per group.  `dmstats update_filemap` starts a daemon even when
 * one already follows the group; two would plan from the same listing and
 * both create regions for the same new extent, leaving one set outside the
 * group for good.  A daemon therefore claims its group by a name only one
 * process can hold at a time.
 */
#ifndef DMFILEMAPD_CLAIM_H
#define DMFILEMAPD_CLAIM_H

#include <stdint.h>

/*
 * Claims group id on device major:minor.  Returns an fd that holds the
 * claim until closed, or -1: errno EADDRINUSE when another daemon holds it.
 */
int claim_group(unsigned int major, unsigned int minor, uint64_t id);

#endif
