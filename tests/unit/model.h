/*
 * An in-memory dm-stats kernel for the unit tests: it answers the messages
 * the daemon sends (@stats_list, @stats_create, @stats_delete,
 * @stats_set_aux, @stats_print) by the kernel's rules, so that whole
 * sequences of passes run natively.  What it stands for and what it does
 * not: see tests/unit/model.c.
 */
#ifndef DMFILEMAPD_MODEL_H
#define DMFILEMAPD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define MODEL_REGIONS 512

struct model_region {
	int present;
	uint64_t start, len;
	char program_id[64];
	char aux[4400];		/* as stored: "" for none; a list row is at most 4095 */
	char options[256];	/* "precise_timestamps", "histogram:..." or both */
	uint64_t reads, writes;
};

struct model {
	struct model_region regions[MODEL_REGIONS];	/* by id */
	unsigned long messages;		/* messages answered */
	unsigned long creates;
	const char *fail_prefix;	/* messages starting with it fail (EIO) */
};

/* Makes dev send its messages to k, whose regions are all cleared. */
void model_init(struct model *k, struct stats_device *dev);

/* What another process does: a region made, deleted or relabelled. */
uint64_t model_create(struct model *k, uint64_t start, uint64_t len,
    const char *program_id, const char *aux, const char *options);
void model_delete(struct model *k, uint64_t id);
void model_set_aux(struct model *k, uint64_t id, const char *aux);

/* An I/O of one sector at sector: counted by every region it touches. */
void model_read(struct model *k, uint64_t sector);

/* The @stats_list answer for every program, as a malloc'd string. */
char *model_list(const struct model *k);

#endif
