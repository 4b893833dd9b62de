/*
 * The group id argument (GROUP_ID, or --groupid's) checked against the
 * kernel's listing of a device.
 */
#ifndef DMFILEMAPD_LEADER_H
#define DMFILEMAPD_LEADER_H

#include <stdint.h>

#include "descriptor.h"
#include "fault.h"
#include "listing.h"

/*
 * Returns the listed region id when it leads a group (the lowest member
 * named by its own descriptor) whose every member is listed, with that
 * descriptor parsed into d for the caller to free.  Otherwise returns NULL,
 * d holding nothing, with the refusal in f, naming the argument as arg
 * ("GROUP_ID", "--groupid"), saying why: no such region, an unreadable
 * descriptor, a region in no group or only a member of one, not the
 * lowest member, or a member that is not in the listing.
 */
const struct listed_region *leader_find(const struct listing *listing,
    const char *arg, uint64_t id, const char *dev_name, struct descriptor *d,
    struct fault *f);

#endif
