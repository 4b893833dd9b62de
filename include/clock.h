/*
 * The monotonic clock, and the two units its times are kept in.  The
 * loop schedules in milliseconds (msec_t), as the timerfd and poll(2)
 * are armed; moments other processes compare with the times listings
 * were taken are in nanoseconds (nsec_t), as those are written.  A time
 * passes from one unit to the other only through the functions here.
 */
#ifndef DMFILEMAPD_CLOCK_H
#define DMFILEMAPD_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef int64_t msec_t;		/* a moment or a span, in milliseconds */
typedef int64_t nsec_t;		/* a moment or a span, in nanoseconds */

/* A moment that never comes, in either unit: later than any other. */
#define NEVER INT64_MAX

msec_t now_ms(void);
nsec_t now_ns(void);

/* The same span or moment in the other unit (a moment, never NEVER). */
nsec_t ns_from_ms(msec_t ms);
msec_t ms_from_ns(nsec_t ns);

/* A span, not negative, as nanosleep(2) and timerfd_settime(2) take it. */
struct timespec timespec_from_ns(nsec_t ns);

#endif
