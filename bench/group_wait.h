/*
 * Shared by group-wait's parts: device ranges in 512-byte sectors, a file's
 * mapped ranges read with FIEMAP (on btrfs from its extent items), and a
 * dm-stats group's ranges read from
 * the kernel's @stats_list.  Written apart from the daemon's sources, so
 * that the benchmark judges any daemon by what the kernel shows.
 */
#ifndef BENCH_GROUP_WAIT_H
#define BENCH_GROUP_WAIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MAX_GROUPS 4		/* groups named alike at one time */

struct span {
	uint64_t start;		/* sector */
	uint64_t len;		/* sectors */
};

struct spans {
	struct span *v;
	size_t n, cap;
};

int spans_add(struct spans *s, uint64_t start, uint64_t len);

/* Sorts by start and merges spans that overlap or touch. */
void spans_normalize(struct spans *s);

/* Both normalized: non-zero when they cover the same sectors. */
int spans_equal(const struct spans *a, const struct spans *b);

/* Both normalized: the sectors of want that have misses. */
uint64_t spans_uncovered(const struct spans *want, const struct spans *have);

uint64_t spans_total(const struct spans *s);

void spans_free(struct spans *s);

/*
 * The file's data on its device, normalized.  No FIEMAP_FLAG_SYNC, which
 * would force writeback and change what is measured: data the filesystem
 * has not placed yet (delayed allocation, on btrfs data without an extent
 * item) is left out.  Returns 0 or -1.
 */
int file_spans(int fd, struct spans *out);

/*
 * A btrfs file's logical spans, normalized, from its extent items (a
 * compressed extent whole).  Returns 0 or -1.
 */
int btrfs_logical_spans(int fd, struct spans *out);

/*
 * A btrfs file's normalized logical spans to spans of its device, in
 * place, when its data chunks have one stripe each.  Returns 0 or -1.
 */
int btrfs_single_spans(int fd, struct spans *s);

/* One @stats_list on dm device dev: a malloc'd answer, or NULL. */
char *stats_list(const char *dev);

/* Lists the groups named alias on dev (see group_spans); -1 on failure. */
int list_groups(const char *dev, const char *alias, struct spans *groups);

/* Non-zero when one of n groups covers every sector of layout. */
int groups_cover(const struct spans *layout, const struct spans *groups, int n);

/*
 * Every group named alias in a @stats_list answer: usually one, two while
 * a daemon moves the descriptor to a new lowest region.  Fills groups[i]
 * with the union of each one's members (normalized) and returns how many
 * were found (at most max), or -1 when out of memory.
 */
int group_spans(const char *listing, const char *alias, struct spans *groups,
    int max);

/*
 * group-wait --burst: appends append_bytes to path every every_ms for
 * seconds while sampling how far the group lags; prints one result line.
 */
int burst_run(const char *path, const char *dev, const char *alias,
    double seconds, long append_bytes, double every_ms);

static inline double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline void
sleep_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	nanosleep(&ts, NULL);
}

#endif
