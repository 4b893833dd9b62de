/* The monotonic clock, and its times from one unit to the other: see clock.h. */
#include <time.h>

#include "clock.h"

#define NS_PER_MS	1000000
#define NS_PER_S	1000000000

msec_t
now_ms(void)
{
	return ms_from_ns(now_ns());
}

nsec_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (nsec_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

nsec_t
ns_from_ms(msec_t ms)
{
	return ms * NS_PER_MS;
}

msec_t
ms_from_ns(nsec_t ns)
{
	return ns / NS_PER_MS;
}

struct timespec
timespec_from_ns(nsec_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	return ts;
}
