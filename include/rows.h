/*
 * The rows of a @stats_list answer (see listing.h) looked up by region id
 * without reading the others, for answers whose ids ascend, as the
 * kernel's do.  Pure text handling.
 */
#ifndef DMFILEMAPD_ROWS_H
#define DMFILEMAPD_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "listing.h"

/* Whether every row of text starts with "<id>:" and the ids ascend. */
int rows_ascending(const char *text);

/*
 * The row of region id in text (rows_ascending), or NULL; *len receives
 * its length without the newline.
 */
const char *rows_find(const char *text, size_t text_len, uint64_t id,
    size_t *len);

/*
 * Parses the rows of the ids given (ascending) that text has into out, as
 * listing_parse would parse those rows alone.  Returns 0, or -1 with
 * errno set as listing_parse sets it.
 */
int rows_select(const char *text, size_t text_len, const uint64_t *ids,
    size_t n, struct listing *out);

#endif
