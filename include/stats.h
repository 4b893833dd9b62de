/*
 * The kernel's dm-stats messages on one device, each one target message
 * (one ioctl) through libdevmapper.
 */
#ifndef DMFILEMAPD_STATS_H
#define DMFILEMAPD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "extents.h"
#include "listing.h"

struct stats_device {
	unsigned int major, minor;
	char *name;		/* device-mapper name, for messages */
};

/* Checks that devno is a device-mapper device and learns its name. */
int stats_device_open(struct stats_device *dev, dev_t devno, char *err,
    size_t errlen);
void stats_device_close(struct stats_device *dev);

/* The path of the device-mapper control node, as libdevmapper opens it. */
int stats_control_path(char *buf, size_t len);

/* Lists the regions of program_id, or of every program when it is "". */
int stats_list(const struct stats_device *dev, const char *program_id,
    struct listing *out);

/*
 * Creates a one-area region over range with aux_data aux; options are
 * "precise_timestamps" and "histogram:..." words as the kernel lists them,
 * copied verbatim.
 */
int stats_create(const struct stats_device *dev, const struct range *range,
    const char *options, int n_options, const char *program_id,
    const char *aux, uint64_t *id);

int stats_delete(const struct stats_device *dev, uint64_t id);
int stats_set_aux(const struct stats_device *dev, uint64_t id, const char *aux);

/* The reads and writes a region has counted. */
int stats_heat(const struct stats_device *dev, uint64_t id, uint64_t *heat);

#endif
