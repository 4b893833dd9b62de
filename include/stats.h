/*
 * The kernel's dm-stats messages on one device, formatted and parsed here,
 * each sent by the device's send function: one target message (one ioctl)
 * through libdevmapper, or the unit tests' in-memory kernel.
 */
#ifndef DMFILEMAPD_STATS_H
#define DMFILEMAPD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "descriptor.h"
#include "extents.h"
#include "listing.h"

struct stats_device;

/*
 * Sends one message to the device.  On success returns 0 and, when answer
 * is not NULL, a malloc'd copy of the kernel's answer; on failure -1 with
 * errno set.
 */
typedef int stats_send_fn(const struct stats_device *dev, const char *message,
    char **answer);

struct stats_device {
	unsigned int major, minor;
	char *name;		/* device-mapper name, for messages */
	stats_send_fn *send;	/* devmapper.c's, or a model's */
	void *model;		/* the model's own state */
	size_t list_expect;	/* bytes a listing's text will likely take, 0: unknown */
	enum alias_form alias_form; /* how the installed libdevmapper writes an alias */
};

void stats_device_close(struct stats_device *dev);

/* The next listings' text will likely take about bytes: their buffer's size. */
void stats_expect_list(struct stats_device *dev, size_t bytes);

/* The kernel's answer to @stats_list, malloc'd (see listing.h). */
int stats_list_text(const struct stats_device *dev, const char *program_id,
    char **answer);

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
