/*
 * Times the planner on large files: a group with one region per extent,
 * after one extent grew and a hole was punched in another, which is the
 * common case of a small change to a big file.  One line per size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "plan.h"

#define RUNS 3
#define CAP 16
#define HOLE 8			/* sectors punched out */

static uint64_t seed = 0x853c49e6748fea9bULL;

static uint64_t
pick(uint64_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed % n;
}

/*
 * Extents of 4 KiB blocks, 8 KiB to 1 MiB long, with gaps between them
 * (never touching, or they would be one range); a region on each.
 */
static void
make_group(size_t n, struct range *extents, struct region *regions)
{
	uint64_t at = 2048;
	size_t i;

	for (i = 0; i < n; i++) {
		at += 8 * (1 + pick(64));
		extents[i].start = at;
		extents[i].len = 8 * (2 + pick(255));
		at += extents[i].len;
		regions[i].id = i;
		regions[i].start = extents[i].start;
		regions[i].len = extents[i].len;
		regions[i].heat = 0;
	}
}

/*
 * The file now: the extent at a third grew into the gap after it, and a
 * hole splits the one at two thirds.  Returns the count of ranges.
 */
static size_t
change_file(size_t n, const struct range *extents, struct range *mapped)
{
	size_t i, grown = n / 3, split = 2 * n / 3, m = 0;
	uint64_t half;

	for (i = 0; i < n; i++) {
		mapped[m] = extents[i];
		if (i == grown && i + 1 < n)
			mapped[m].len = extents[i + 1].start - 1 -
			    extents[i].start;
		if (i == split) {
			half = extents[i].len / 2;
			mapped[m].len = half;
			mapped[++m].start = extents[i].start + half + HOLE;
			mapped[m].len = extents[i].len - half - HOLE;
		}
		m++;
	}
	return m;
}

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int
bench(size_t n)
{
	struct range *extents, *mapped;
	struct region *regions;
	struct timespec t0, t1;
	struct rusage usage;
	struct plan plan;
	size_t n_mapped;
	double ms, best = 0;
	int run, ok = 1;

	extents = calloc(n, sizeof(*extents));
	mapped = calloc(n + 1, sizeof(*mapped));
	regions = calloc(n, sizeof(*regions));
	if (extents == NULL || mapped == NULL || regions == NULL) {
		fprintf(stderr, "plan_bench: out of memory\n");
		return -1;
	}
	make_group(n, extents, regions);
	n_mapped = change_file(n, extents, mapped);
	for (run = 0; run < RUNS && ok; run++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ok = plan_make(mapped, n_mapped, regions, n, CAP, HEAT_UNREAD,
		    &plan) == PLAN_OK;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = elapsed_ms(&t0, &t1);
		best = run == 0 || ms < best ? ms : best;
		/* The split region goes; its two halves and the tail come. */
		ok = ok && plan.n_delete == 1 && plan.n_create == 3 &&
		    plan.n_keep == n - 1;
		plan_free(&plan);
	}
	free(extents);
	free(mapped);
	free(regions);
	if (!ok) {
		fprintf(stderr, "plan_bench: unexpected plan at %zu extents\n",
		    n);
		return -1;
	}
	getrusage(RUSAGE_SELF, &usage);
	printf("planner extents=%zu regions=%zu ms=%.3f peak_rss_kb=%ld\n",
	    n_mapped, n, best, usage.ru_maxrss);
	return 0;
}

int
main(void)
{
	static const size_t sizes[] = { 10000, 100000, 1000000 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (bench(sizes[i]) != 0)
			return 1;
	return 0;
}
