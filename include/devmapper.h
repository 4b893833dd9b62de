/*
 * The real device-mapper: target messages to a device, sent on the control
 * node that libdevmapper names, and where that node is.
 */
#ifndef DMFILEMAPD_DEVMAPPER_H
#define DMFILEMAPD_DEVMAPPER_H

#include <stddef.h>
#include <sys/types.h>

#include "fault.h"
#include "stats.h"

/*
 * Checks that devno is a device-mapper device, learns its name, and makes
 * dev send its messages as DM_TARGET_MSG ioctls.  Returns 0, or -1 with
 * the refusal in f.
 */
int devmapper_open(struct stats_device *dev, dev_t devno, struct fault *f);

/* How the libdevmapper this process runs on writes a group's alias. */
enum alias_form devmapper_alias_form(void);

/* The path of the device-mapper control node, as libdevmapper opens it. */
int devmapper_control_path(char *buf, size_t len);

#endif
