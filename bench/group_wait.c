/*
 * group-wait: how long a filemap daemon takes to bring a dm-stats group in
 * step with its file, judged from the kernel's side only.
 *
 *   group-wait [-t SECONDS] [--grow BYTES | --punch OFFSET:BYTES] DEV ALIAS FILE
 *     changes FILE itself (fallocate), takes the time as soon as the call
 *     returns, reads the file's extents, then lists DEV's regions about
 *     every millisecond until the members of the group named ALIAS cover
 *     exactly those extents.  Prints "ms=T polls=N interval_ms=I"; on
 *     timeout prints "timeout ms=T" and exits 1.  Without a change it
 *     just waits for the group to match the file.
 *
 *   group-wait --burst SECONDS [--append BYTES] [--every MS] DEV ALIAS FILE
 *     appends BYTES (default 1 MiB) with fsync every MS (default 100) ms
 *     for SECONDS, sampling the group every 10 ms (see burst.c).  Prints
 *     "samples=N layouts=L appends=A max_behind=K behind_samples=M
 *     hole_samples=H max_lag_ms=T".
 *
 * It runs as a real-time process when it can: on a guest with one CPU
 * the daemon, woken by the change, would otherwise preempt it before it
 * takes the time, and the daemon's whole pass would go unmeasured.  It
 * sleeps between polls, which is when the daemon runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "group_wait.h"

#define MIN_INTERVAL_MS 1.0
/*
 * A big group's listing is slow, and the CPU it takes is the daemon's: the
 * poller sleeps three times as long as a poll took, so that it never takes
 * more than a quarter of the CPU.
 */
#define POLL_DUTY 3.0

enum change { NONE, GROW, PUNCH };

struct args {
	enum change change;
	long long offset, bytes;
	double timeout_s, burst_s, every_ms;
	long append;
	const char *dev, *alias, *file;
};

static int
usage(void)
{
	fprintf(stderr, "usage: group-wait [-t SECONDS] [--grow BYTES | "
	    "--punch OFFSET:BYTES] DEV ALIAS FILE\n"
	    "       group-wait --burst SECONDS [--append BYTES] [--every MS] "
	    "DEV ALIAS FILE\n");
	return 2;
}

static int
parse_args(int argc, char *argv[], struct args *a)
{
	static const struct option longs[] = {
		{ "grow", required_argument, NULL, 'g' },
		{ "punch", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'b' },
		{ "append", required_argument, NULL, 'a' },
		{ "every", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->timeout_s = 30;
	a->append = 1 << 20;
	a->every_ms = 100;
	while ((c = getopt_long(argc, argv, "t:", longs, NULL)) != -1) {
		if (c == 'g') {
			a->change = GROW;
			a->bytes = atoll(optarg);
		} else if (c == 'p') {
			a->change = PUNCH;
			if (sscanf(optarg, "%lld:%lld", &a->offset, &a->bytes) != 2)
				return -1;
		} else if (c == 'b') {
			a->burst_s = atof(optarg);
		} else if (c == 'a') {
			a->append = atol(optarg);
		} else if (c == 'e') {
			a->every_ms = atof(optarg);
		} else if (c == 't') {
			a->timeout_s = atof(optarg);
		} else {
			return -1;
		}
	}
	if (argc - optind != 3 || (a->change != NONE && a->bytes <= 0) ||
	    (a->burst_s > 0 && (a->change != NONE || a->append <= 0)))
		return -1;
	a->dev = argv[optind];
	a->alias = argv[optind + 1];
	a->file = argv[optind + 2];
	return 0;
}

/* The change under test; the clock starts when it returns. */
static int
make_change(int fd, const struct args *a)
{
	struct stat st;

	if (a->change == GROW) {
		if (fstat(fd, &st) != 0)
			return -1;
		return fallocate(fd, 0, st.st_size, a->bytes);
	}
	if (a->change == PUNCH)
		return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		    a->offset, a->bytes);
	return 0;
}

/* The fewest sectors of file a group misses, and whether one matches it. */
static void
match_file(const struct spans *file, const struct spans *groups, int n,
    uint64_t *missing, int *exact)
{
	uint64_t m;
	int i;

	*missing = spans_total(file);
	*exact = 0;
	for (i = 0; i < n; i++) {
		m = spans_uncovered(file, &groups[i]);
		if (m < *missing)
			*missing = m;
		if (spans_equal(file, &groups[i]))
			*exact = 1;
	}
}

static int
wait_in_step(int fd, const struct args *a, struct spans *groups)
{
	struct spans file = { NULL, 0, 0 };
	double t0, t1, spent, interval = MIN_INTERVAL_MS, waited = 0;
	unsigned long polls = 0;
	uint64_t missing;
	int exact = 0, n;

	/* libdevmapper's first call opens and checks its control device. */
	if (list_groups(a->dev, a->alias, groups) < 0) {
		fprintf(stderr, "group-wait: cannot list %s\n", a->dev);
		return 2;
	}
	if (make_change(fd, a) != 0) {
		fprintf(stderr, "group-wait: %s: fallocate: %s\n", a->file,
		    strerror(errno));
		return 2;
	}
	t0 = now_ms();
	if (file_spans(fd, &file) != 0) {
		fprintf(stderr, "group-wait: %s: FIEMAP: %s\n", a->file,
		    strerror(errno));
		return 2;
	}
	for (;;) {
		t1 = now_ms();
		if ((n = list_groups(a->dev, a->alias, groups)) < 0) {
			fprintf(stderr, "group-wait: cannot list %s\n", a->dev);
			return 2;
		}
		match_file(&file, groups, n, &missing, &exact);
		polls++;
		spent = now_ms() - t1;
		if (exact || t1 - t0 > a->timeout_s * 1e3)
			break;
		interval = spent * POLL_DUTY > MIN_INTERVAL_MS ?
		    spent * POLL_DUTY : MIN_INTERVAL_MS;
		waited += interval;
		sleep_ms(interval);
	}
	spans_free(&file);
	if (!exact) {
		printf("timeout ms=%.1f missing_sectors=%llu\n", t1 - t0,
		    (unsigned long long)missing);
		return 1;
	}
	printf("ms=%.1f polls=%lu interval_ms=%.2f\n", t1 - t0, polls,
	    polls > 1 ? waited / (double)(polls - 1) : 0.0);
	return 0;
}

/* Real time, so that what is measured cannot delay the measuring. */
static void
go_real_time(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		fprintf(stderr, "group-wait: warning: not real-time (%s): the "
		    "daemon may run before the clock starts\n", strerror(errno));
}

int
main(int argc, char *argv[])
{
	struct spans groups[MAX_GROUPS];
	struct args a;
	int fd, i, r;

	if (parse_args(argc, argv, &a) != 0)
		return usage();
	fd = open(a.file, a.change == NONE ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "group-wait: %s: %s\n", a.file, strerror(errno));
		return 2;
	}
	memset(groups, 0, sizeof(groups));
	go_real_time();
	r = a.burst_s > 0 ? burst_run(a.file, a.dev, a.alias, a.burst_s,
	    a.append, a.every_ms) : wait_in_step(fd, &a, groups);
	for (i = 0; i < MAX_GROUPS; i++)
		spans_free(&groups[i]);
	close(fd);
	return r;
}
