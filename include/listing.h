/*
 * The kernel's answer to @stats_list, one region a line:
 *   <id>: <start>+<len> <step> <program_id> <aux_data>[ precise_timestamps][ histogram:<b1>,<b2>...]
 * Pure parsing; the aux_data is printed as stored and may hold blanks.
 */
#ifndef DMFILEMAPD_LISTING_H
#define DMFILEMAPD_LISTING_H

#include <stddef.h>
#include <stdint.h>

struct listed_region {
	uint64_t id;
	uint64_t start;		/* sectors */
	uint64_t len;		/* sectors */
	const char *program_id;
	const char *aux;
	const char *options;	/* "precise_timestamps", "histogram:...", both, or "" */
	int n_options;		/* how many words options holds */
};

struct listing {
	struct listed_region *regions;	/* ascending id */
	size_t count;
	char *text;		/* owns every string above */
};

/*
 * Returns 0, or -1 with errno set: EBADMSG when a line is not as the
 * kernel writes them, ENOMEM when memory runs out.
 */
int listing_parse(const char *answer, struct listing *out);

const struct listed_region *listing_find(const struct listing *listing, uint64_t id);

void listing_free(struct listing *listing);

#endif
