/*
 * pass-profile: where one of the daemon's sync passes spends its CPU, and
 * what the kernel alone needs for the same change.
 *
 *   pass-profile [-n REPS] FILE GROUP_ID
 *
 * FILE's group must be followed by no daemon (dmstats create --filemap
 * --nomonitor).  The daemon's own code (sync.c and below) first brings the
 * group in step; then, REPS times, one block in the second half of FILE is
 * punched out and one pass runs, as the daemon runs it after a file event:
 * one FIEMAP of the whole file, the plan, the messages, each message timed
 * on its way (devmapper.c).  The same work is then done by the kernel
 * alone: the bare FIEMAP ioctls, and bare DM_TARGET_MSG ioctls for the
 * same messages on a scratch region of this program's own; "floor" sums
 * what the change needs of them (the map, one message per region made or
 * deleted, one for the descriptor), "daemon" what the pass took.  A group
 * check is timed likewise: the device's listing taken and the group's
 * rows read, and the same from a listing another daemon left.  Times are
 * this thread's CPU time, the kernel's included, as medians over REPS in
 * microseconds, one "step=NAME us=T" line each; "messages=C/D/S" counts
 * the pass's creates, deletes and aux_data writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "devmapper.h"
#include "fiemap.h"
#include "group.h"
#include "listshare.h"
#include "log.h"
#include "plan.h"
#include "plan_window.h"
#include "sync.h"

#define REPS_MAX 64
#define MESSAGE_BUFFER (4u << 20)
#define SMALL_BUFFER (16u << 10)	/* libdevmapper's first size */
#define FIEMAP_BYTES (256 * 1024)
#define SCRATCH_PROGRAM "pass-profile"
#define SHARE_DIR "/run/pass-profile"

/* Each message's verb, the messages the daemon sends in a pass. */
enum verb { CREATE, DELETE, SET_AUX, LIST, PRINT, N_VERBS };
static const char *const verb_names[N_VERBS] = {
	"@stats_create", "@stats_delete", "@stats_set_aux", "@stats_list",
	"@stats_print",
};

struct timed {
	int64_t us[N_VERBS];	/* CPU in messages since the last reset */
	int count[N_VERBS];
};

static struct timed timed;
static stats_send_fn *real_send;
static int control = -1;
static char *raw_buffer;

static int64_t
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
verb_of(const char *message)
{
	int v;

	for (v = 0; v < N_VERBS; v++)
		if (strncmp(message, verb_names[v], strlen(verb_names[v])) == 0)
			return v;
	return -1;
}

/* The daemon's send (libdevmapper), timed by verb. */
static int
timed_send(const struct stats_device *dev, const char *message, char **answer)
{
	int64_t t0 = cpu_us();
	int r = real_send(dev, message, answer), v = verb_of(message);

	if (v >= 0) {
		timed.us[v] += cpu_us() - t0;
		timed.count[v]++;
	}
	return r;
}

/*
 * One DM_TARGET_MSG ioctl without libdevmapper, with a buffer of size
 * bytes (the kernel copies all of it in and out); the answer stays in
 * raw_buffer.  Returns NULL when the answer did not fit.
 */
static const char *
raw_message(const struct stats_device *dev, const char *message, size_t size)
{
	struct dm_ioctl *io = (struct dm_ioctl *)raw_buffer;
	struct dm_target_msg *tm = (struct dm_target_msg *)(io + 1);

	memset(io, 0, sizeof(*io) + sizeof(*tm));
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	io->dev = makedev(dev->major, dev->minor);
	snprintf(tm->message, size - sizeof(*io) - sizeof(*tm), "%s", message);
	if (ioctl(control, DM_TARGET_MSG, io) != 0) {
		fprintf(stderr, "pass-profile: '%s': %s\n", message,
		    strerror(errno));
		exit(1);
	}
	if (io->flags & DM_BUFFER_FULL_FLAG)
		return NULL;
	return io->flags & DM_DATA_OUT_FLAG ? raw_buffer + io->data_start : "";
}

/* The whole file's map through FIEMAP, nothing done with it. */
static void
raw_fiemap(int fd)
{
	static union {
		struct fiemap fm;
		unsigned char bytes[FIEMAP_BYTES];
	} buffer;
	struct fiemap *fm = &buffer.fm;
	unsigned long long next = 0;
	struct fiemap_extent *last;

	for (;;) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = next;
		fm->fm_length = FIEMAP_MAX_OFFSET - next;
		fm->fm_extent_count = (FIEMAP_BYTES - sizeof(*fm)) /
		    sizeof(struct fiemap_extent);
		if (ioctl(fd, FS_IOC_FIEMAP, fm) != 0 || fm->fm_mapped_extents == 0)
			return;
		last = &fm->fm_extents[fm->fm_mapped_extents - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST)
			return;
		next = last->fe_logical + last->fe_length;
	}
}

static int64_t
bare_fiemap_us(int fd)
{
	int64_t t0 = cpu_us();

	raw_fiemap(fd);
	return cpu_us() - t0;
}

static int
compare_us(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Prints the median and returns it. */
static int64_t
report(const char *step, int64_t *samples, int n)
{
	qsort(samples, (size_t)n, sizeof(*samples), compare_us);
	printf("step=%s us=%" PRId64 "\n", step, samples[n / 2]);
	return samples[n / 2];
}

static void
die(const char *what)
{
	fprintf(stderr, "pass-profile: %s\n", what);
	exit(1);
}

/* A group check that must find the group as it is known. */
static void
refresh(struct group *g, struct listing_need need)
{
	struct fault f = { "the group was deleted or ungrouped" };

	switch (group_refresh(g, need, &f)) {
	case GROUP_PRESENT:
		return;
	case GROUP_FAILED:
		fault(&f, "cannot check the group");
		break;
	default:
		break;
	}
	die(f.line);
}

struct profile {
	int64_t fiemap_kernel[REPS_MAX], fiemap[REPS_MAX], plan[REPS_MAX];
	int64_t whole_plan[REPS_MAX];
	int64_t pass[REPS_MAX], verb[N_VERBS][REPS_MAX];
	int64_t rest[REPS_MAX];
	int count[N_VERBS];
};

/* One punch and one pass, timed step by step. */
static void
profile_pass(int fd, off_t hole, off_t block, struct sync *s,
    struct file_map *layout, struct group *g, struct profile *p, int rep)
{
	const struct pass_request req = { .listing = LISTING_FRESH,
	    .control_watched = 1 };
	struct plan plan;
	int64_t t0, in_messages = 0;
	enum pass_result result;
	bool checked;
	int v;

	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, hole,
	    block) != 0)
		die("cannot punch a hole");
	/* The first map after a change costs more: they take turns at it. */
	if (rep % 2 == 0)
		p->fiemap_kernel[rep] = bare_fiemap_us(fd);
	t0 = cpu_us();
	if (file_map_read(fd, layout) != 0)
		die("FIEMAP failed");
	p->fiemap[rep] = cpu_us() - t0;
	if (rep % 2 == 1)
		p->fiemap_kernel[rep] = bare_fiemap_us(fd);
	/* The plan the pass makes: of the change since the last pass. */
	t0 = cpu_us();
	if (plan_change(s->synced.ranges, s->synced.count, layout->ranges,
	    layout->count, g->members, g->n_members, s->cap, HEAT_UNREAD,
	    &plan) != PLAN_OK)
		die("the plan needs counters: not a punch");
	p->plan[rep] = cpu_us() - t0;
	plan_free(&plan);
	t0 = cpu_us();
	if (plan_make(layout->ranges, layout->count, g->members, g->n_members,
	    s->cap, HEAT_UNREAD, &plan) != PLAN_OK)
		die("the plan needs counters: not a punch");
	p->whole_plan[rep] = cpu_us() - t0;
	plan_free(&plan);
	memset(&timed, 0, sizeof(timed));
	t0 = cpu_us();
	if ((result = sync_pass(s, g, layout, &req, &checked)) != PASS_DONE ||
	    !checked) {
		fprintf(stderr, "pass-profile: the pass after a punch at %lld "
		    "failed (result %d)\n", (long long)hole, (int)result);
		exit(1);
	}
	p->pass[rep] = cpu_us() - t0;
	for (v = 0; v < N_VERBS; v++) {
		p->verb[v][rep] = timed.us[v];
		p->count[v] = timed.count[v];
		in_messages += timed.us[v];
	}
	p->rest[rep] = p->pass[rep] - in_messages - p->plan[rep];
}

/*
 * The same messages as the kernel alone takes them, on a scratch region;
 * medians into floor[verb].
 */
static void
profile_floor(const struct stats_device *dev, int reps, int64_t *floor)
{
	int64_t create[REPS_MAX], set_aux[REPS_MAX], del[REPS_MAX];
	int64_t t0;
	char message[128];
	uint64_t id;
	int rep;

	for (rep = 0; rep < reps; rep++) {
		t0 = cpu_us();
		id = strtoull(raw_message(dev, "@stats_create 0+8 /1 0 "
		    SCRATCH_PROGRAM " -", SMALL_BUFFER), NULL, 10);
		create[rep] = cpu_us() - t0;
		snprintf(message, sizeof(message), "@stats_set_aux %" PRIu64
		    " DMS_GROUP=profile:%" PRIu64 "-%" PRIu64, id, id, id + 4000);
		t0 = cpu_us();
		raw_message(dev, message, SMALL_BUFFER);
		set_aux[rep] = cpu_us() - t0;
		snprintf(message, sizeof(message), "@stats_delete %" PRIu64, id);
		t0 = cpu_us();
		raw_message(dev, message, SMALL_BUFFER);
		del[rep] = cpu_us() - t0;
	}
	floor[CREATE] = report("kernel:@stats_create", create, reps);
	floor[SET_AUX] = report("kernel:@stats_set_aux", set_aux, reps);
	floor[DELETE] = report("kernel:@stats_delete", del, reps);
}

/*
 * A group check: the device's listing taken, the group's rows read, the
 * group checked; then the same from a listing another daemon left (dir).
 */
static void
profile_check(struct group *g, const char *dir, int reps)
{
	int64_t list_kernel[REPS_MAX], list[REPS_MAX], check[REPS_MAX];
	int64_t shared[REPS_MAX];
	int64_t t0;
	size_t size = SMALL_BUFFER;
	int rep;

	/* The kernel's share is one ioctl with a buffer just big enough. */
	while (raw_message(&g->dev, "@stats_list", size) == NULL)
		if ((size *= 2) > MESSAGE_BUFFER)
			die("the listing is longer than 4 MiB");
	for (rep = 0; rep < reps; rep++) {
		t0 = cpu_us();
		raw_message(&g->dev, "@stats_list", size);
		list_kernel[rep] = cpu_us() - t0;
		memset(&timed, 0, sizeof(timed));
		t0 = cpu_us();
		refresh(g, LISTING_FRESH);
		check[rep] = cpu_us() - t0;
		list[rep] = timed.us[LIST];
	}
	group_share_listings(g, dir);
	for (rep = 0; rep < reps; rep++) {
		refresh(g, LISTING_FRESH);
		t0 = cpu_us();
		refresh(g, LISTING_AFTER(0));
		shared[rep] = cpu_us() - t0;
	}
	group_share_listings(g, NULL);
	report("check:kernel @stats_list", list_kernel, reps);
	report("check:@stats_list", list, reps);
	report("check:total", check, reps);
	report("check:from a shared listing", shared, reps);
}

int
main(int argc, char **argv)
{
	struct stats_device dev;
	struct profile p = { 0 };
	struct group g;
	struct sync s;
	struct file_map layout = { 0 };
	struct stat st;
	struct fault f;
	char name[64];
	int64_t pass, least, floor[N_VERBS] = { 0 };
	off_t block;
	size_t extents;
	int fd, reps = 9, rep, v;
	bool checked;

	if (argc == 5 && strcmp(argv[1], "-n") == 0) {
		reps = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || reps < 1 || reps > REPS_MAX)
		die("usage: pass-profile [-n REPS] FILE GROUP_ID");
	log_init(0);
	if ((fd = open(argv[1], O_RDWR)) < 0 || fstat(fd, &st) != 0)
		die("cannot open the file");
	if ((control = open("/dev/mapper/control", O_RDWR)) < 0 ||
	    (raw_buffer = malloc(MESSAGE_BUFFER)) == NULL)
		die("cannot open /dev/mapper/control");
	if (devmapper_open(&dev, st.st_dev, &f) != 0 ||
	    group_open(&g, &dev, "GROUP_ID", strtoull(argv[2], NULL, 10),
	    st.st_ino, &f) != 0)
		die(f.line);
	real_send = g.dev.send;
	g.dev.send = timed_send;
	sync_init(&s, REGIONS_PER_EXTENT_DEFAULT, argv[1]);
	if (file_map_read(fd, &layout) != 0 ||
	    sync_pass(&s, &g, &layout, &(struct pass_request){
	    .check_group = 1, .listing = LISTING_FRESH,
	    .control_watched = 1 }, &checked) != PASS_DONE)
		die("the first pass failed");
	block = st.st_blksize;
	extents = s.synced.count;
	printf("extents=%zu regions=%zu\n", extents, g.n_members);
	/* Every other block holds data (bench/fragment): punch the even ones. */
	for (rep = 0; rep < reps; rep++)
		profile_pass(fd, (off_t)(extents / 2 + (size_t)rep) * 2 *
		    block, block, &s, &layout, &g, &p, rep);
	pass = report("pass:total", p.pass, reps);
	pass += report("pass:FIEMAP", p.fiemap, reps);
	report("pass:plan", p.plan, reps);
	report("pass:plan of the whole layout (not made)", p.whole_plan, reps);
	for (v = CREATE; v <= SET_AUX; v++) {
		snprintf(name, sizeof(name), "pass:%s", verb_names[v]);
		report(name, p.verb[v], reps);
	}
	printf("messages=%d/%d/%d\n", p.count[CREATE], p.count[DELETE],
	    p.count[SET_AUX]);
	report("pass:other", p.rest, reps);
	least = report("kernel:FIEMAP", p.fiemap_kernel, reps);
	profile_floor(&g.dev, reps, floor);
	/* The kernel's part of the change: the map, and a message for each
	 * region made or deleted and for the descriptor. */
	least += p.count[CREATE] * floor[CREATE] + p.count[DELETE] *
	    floor[DELETE] + floor[SET_AUX];
	printf("step=daemon us=%" PRId64 "\nstep=floor us=%" PRId64 "\n",
	    pass, least);
	profile_check(&g, SHARE_DIR, reps);
	group_close(&g);
	return 0;
}
