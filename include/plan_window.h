/*
 * Planning only the stretch of a layout that changed (plan_window.c), for
 * the same plan plan_make would make of the whole.
 */
#ifndef DMFILEMAPD_PLAN_WINDOW_H
#define DMFILEMAPD_PLAN_WINDOW_H

#include <stddef.h>

#include "plan.h"

/*
 * The same plan as plan_make's for new, when regions tile old exactly as
 * the last plan for old left them (old and new normalized): the regions in
 * ranges that did not change are kept without being planned again.
 */
enum plan_status plan_change(const struct range *old, size_t n_old,
    const struct range *new, size_t n_new, const struct region *regions,
    size_t n_regions, unsigned cap, enum heat heat, struct plan *out);

#endif
