/*
 * group-wait --burst: a child appends to the file at a steady rate (write,
 * fsync so that the data is placed, close) and reports when each append is
 * done; meanwhile the parent samples the file's layout and the group every
 * 10 ms.  An append is caught up once the group covers a layout the file
 * had after it (the file only grows, so covering means having caught up).
 * The result says how many appends the group lagged at most, for how long,
 * and in how many samples it had lost sectors it had already covered
 * (regions being replaced mid-pass).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "group_wait.h"

#define SAMPLE_MS 10.0
#define HISTORY 256		/* layouts remembered */
#define NOT_YET (-1L)

/* The file's successive layouts, and the newest the group has caught up with. */
struct history {
	struct spans v[HISTORY];
	long count;
	long caught;		/* -1: none yet */
};

/* Appends done, oldest first, with the first layout that holds each. */
struct pending {
	double *done_ms;
	long *layout;
	size_t first, n, cap;
};

struct tally {
	unsigned long samples, behind, holes, appends, most;
	double longest_ms;
};

static int
append_once(const char *path, const char *buf, long bytes)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, (size_t)bytes) == bytes && fsync(fd) == 0;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* The child: appends until end_ms, writing each completion time to out. */
static void
appender(const char *path, long bytes, double every_ms, double end_ms, int out)
{
	struct sched_param sp = { .sched_priority = 0 };
	char *buf = calloc(1, (size_t)bytes);
	double done;

	/* An ordinary process, like any writer; the sampler alone is real-time. */
	sched_setscheduler(0, SCHED_OTHER, &sp);
	while (buf != NULL && now_ms() < end_ms) {
		if (append_once(path, buf, bytes) != 0) {
			fprintf(stderr, "group-wait: append to %s: %s\n", path,
			    strerror(errno));
			_exit(1);
		}
		done = now_ms();
		if (write(out, &done, sizeof(done)) != sizeof(done))
			_exit(1);
		sleep_ms(every_ms);
	}
	_exit(buf == NULL);
}

static int
remember(struct history *h, const struct spans *file)
{
	struct spans *slot = &h->v[h->count % HISTORY];
	size_t i;

	if (h->count > 0 && spans_equal(&h->v[(h->count - 1) % HISTORY], file))
		return 0;
	slot->n = 0;
	for (i = 0; i < file->n; i++)
		if (spans_add(slot, file->v[i].start, file->v[i].len) != 0)
			return -1;
	h->count++;
	return 0;
}

/* Moves caught to the newest layout covered; returns 1 on a hole. */
static int
catch_up(struct history *h, const struct spans *groups, int n)
{
	long k, oldest = h->count > HISTORY ? h->count - HISTORY : 0;

	for (k = h->count - 1; k > h->caught && k >= oldest; k--) {
		if (groups_cover(&h->v[k % HISTORY], groups, n)) {
			h->caught = k;
			return 0;
		}
	}
	return h->caught >= oldest &&
	    !groups_cover(&h->v[h->caught % HISTORY], groups, n);
}

static int
pending_add(struct pending *p, double done)
{
	size_t cap = p->cap ? 2 * p->cap : 256;
	double *done_ms;
	long *layout;

	if (p->first + p->n == p->cap) {
		if ((done_ms = realloc(p->done_ms, cap * sizeof(*done_ms))) == NULL)
			return -1;
		p->done_ms = done_ms;
		if ((layout = realloc(p->layout, cap * sizeof(*layout))) == NULL)
			return -1;
		p->layout = layout;
		p->cap = cap;
	}
	p->done_ms[p->first + p->n] = done;
	p->layout[p->first + p->n++] = NOT_YET;
	return 0;
}

/* Takes the completion times the child sent; returns -1 on failure. */
static int
take_appends(int in, struct pending *p, struct tally *t)
{
	double done;

	while (read(in, &done, sizeof(done)) == sizeof(done)) {
		if (pending_add(p, done) != 0)
			return -1;
		t->appends++;
	}
	return 0;
}

static void
settle(struct pending *p, const struct history *h, struct tally *t)
{
	size_t i;

	/* Appends done before this sample's FIEMAP are in its layout. */
	for (i = p->first; i < p->first + p->n; i++)
		if (p->layout[i] == NOT_YET)
			p->layout[i] = h->count - 1;
	while (p->n > 0 && p->layout[p->first] <= h->caught) {
		p->first++;
		p->n--;
	}
	t->behind += p->n > 0;
	if (p->n > t->most)
		t->most = p->n;
	if (p->n > 0 && now_ms() - p->done_ms[p->first] > t->longest_ms)
		t->longest_ms = now_ms() - p->done_ms[p->first];
}

static int
sample(int fd, int in, const char *dev, const char *alias, double end_ms,
    struct tally *t)
{
	static struct history h = { .caught = -1 };
	struct spans file = { NULL, 0, 0 }, groups[MAX_GROUPS];
	struct pending p = { NULL, NULL, 0, 0, 0 };
	int n, r = 0;

	memset(groups, 0, sizeof(groups));
	while (r == 0 && now_ms() < end_ms) {
		if (take_appends(in, &p, t) != 0 || file_spans(fd, &file) != 0 ||
		    remember(&h, &file) != 0 ||
		    (n = list_groups(dev, alias, groups)) < 0) {
			r = -1;
			break;
		}
		t->holes += catch_up(&h, groups, n);
		settle(&p, &h, t);
		t->samples++;
		sleep_ms(SAMPLE_MS);
	}
	printf("samples=%lu layouts=%ld appends=%lu max_behind=%lu "
	    "behind_samples=%lu hole_samples=%lu max_lag_ms=%.1f\n",
	    t->samples, h.count, t->appends, t->most, t->behind, t->holes,
	    t->longest_ms);
	spans_free(&file);
	for (n = 0; n < MAX_GROUPS; n++)
		spans_free(&groups[n]);
	for (n = 0; n < HISTORY; n++)
		spans_free(&h.v[n]);
	free(p.done_ms);
	free(p.layout);
	return r;
}

int
burst_run(const char *path, const char *dev, const char *alias,
    double seconds, long append_bytes, double every_ms)
{
	struct tally t = { 0, 0, 0, 0, 0, 0 };
	double end_ms = now_ms() + seconds * 1e3;
	int fds[2], fd, status = 0, r;
	pid_t child;

	if ((fd = open(path, O_RDONLY)) < 0 || pipe2(fds, O_NONBLOCK) != 0 ||
	    (child = fork()) < 0) {
		fprintf(stderr, "group-wait: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (child == 0) {
		close(fds[0]);
		appender(path, append_bytes, every_ms, end_ms, fds[1]);
	}
	close(fds[1]);
	r = sample(fd, fds[0], dev, alias, end_ms, &t);
	if (r != 0)
		kill(child, SIGTERM);
	waitpid(child, &status, 0);
	close(fds[0]);
	close(fd);
	if (r != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "group-wait: the burst failed\n");
		return 2;
	}
	return 0;
}
