/*
 * What the device's watcher (watcher.h) learns from two listings of the
 * device's regions taken one use of device-mapper apart: which groups
 * hold a region whose row changed, was added or went away.  Only their
 * daemons need to look.  Pure text handling.
 */
#ifndef DMFILEMAPD_LISTDIFF_H
#define DMFILEMAPD_LISTDIFF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The ids of the leaders whose groups, as either listing describes them,
 * name a region whose row differs between before and after (both
 * @stats_list answers with ascending ids, rows.h), ascending, in a new
 * array *leaders of *n ids.  With before NULL (nothing to compare with)
 * every group of after is named.  Returns 0, or -1 when memory runs out.
 */
int listdiff_changed_groups(const char *before, size_t before_len,
    const char *after, size_t after_len, uint64_t **leaders, size_t *n);

#endif
