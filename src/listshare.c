/*
 * One listing for all the daemons of a device.  A process that uses
 * device-mapper wakes every daemon at once, and each must then see the
 * regions as they are after that use.  Listing them costs the kernel, and
 * the daemon that reads the answer, time in proportion to all the regions
 * of the device: G daemons listing R regions each would cost G * R.  So
 * the first daemon to come lists them and leaves the answer in
 * DIR/MAJOR:MINOR, stamped with the moment it was taken (before asking)
 * and this boot's id, with an index of every INDEX_STRIDE-th row; a daemon
 * that comes after takes that answer when it was taken after what the
 * daemon must see, and reads of it only the stretch of rows that holds
 * its group (rows.h).  Listings are written whole and renamed into place,
 * and only when their rows ascend; a lock makes the daemons woken together
 * wait for one of them rather than all list.  The directory must be this
 * user's alone: what is read there decides what is written to the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "decimal.h"
#include "listshare.h"
#include "rows.h"

#define MAGIC "dmfilemapd-listing 2"
#define HEADER_MAX 160
#define INDEX_STRIDE 32	/* rows from one index entry to the next */
#define BOOT_ID_LEN 36

/* Monotonic times are of one boot: a listing of another is never taken. */
static const char *
boot_id(void)
{
	static char id[BOOT_ID_LEN + 1];
	FILE *f;

	if (id[0] == '\0' && (f = fopen("/proc/sys/kernel/random/boot_id",
	    "re")) != NULL) {
		if (fgets(id, sizeof(id), f) == NULL || strlen(id) != BOOT_ID_LEN)
			id[0] = '\0';
		fclose(f);
	}
	return id[0] != '\0' ? id : NULL;
}

int
listshare_dir_usable(const char *dir)
{
	static char checked[PATH_MAX];
	struct stat st;

	if (strcmp(dir, checked) == 0)
		return 1;
	if (lstat(dir, &st) != 0 && (errno != ENOENT || mkdir(dir, 0700) != 0 ||
	    lstat(dir, &st) != 0))
		return 0;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return 0;
	snprintf(checked, sizeof(checked), "%s", dir);
	return 1;
}

/* Only interrupts a wait for the lock: see wait_lock. */
static void
on_alarm(int signo)
{
	(void)signo;
}

/*
 * Waits for the lock open as fd, shared or exclusive (how): 0 when held,
 * -1 when it could not be had in time.  The wait sleeps in flock(2),
 * which costs nothing however many daemons wait, and is bounded: a timer
 * interrupts it every 100 ms (again and again, lest one SIGALRM come
 * before the call), its signal caught by a handler that does nothing.
 */
static int
wait_lock(int fd, int how)
{
	static int alarm_caught;
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } }, off = { 0 };
	struct sigaction wake = { .sa_handler = on_alarm };
	sigset_t alarm_only;
	nsec_t deadline = now_ns() + ns_from_ms(LISTSHARE_LOCK_WAIT_MS);
	int r;

	if (!alarm_caught) {
		sigemptyset(&alarm_only);
		sigaddset(&alarm_only, SIGALRM);
		if (sigaction(SIGALRM, &wake, NULL) != 0 ||
		    sigprocmask(SIG_UNBLOCK, &alarm_only, NULL) != 0)
			return -1;
		alarm_caught = 1;
	}
	setitimer(ITIMER_REAL, &tick, NULL);
	while ((r = flock(fd, how)) != 0 && errno == EINTR &&
	    now_ns() < deadline)
		;
	setitimer(ITIMER_REAL, &off, NULL);
	return r;
}

/*
 * The device's lock file, opened once and kept: a daemon follows one
 * device, and each check then spares an open and a close.
 */
static int
open_lock(const char *dir, const struct stats_device *dev)
{
	static char kept_path[PATH_MAX];
	static int kept = -1;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u:%u.lock", dir, dev->major,
	    dev->minor);
	if (kept >= 0 && strcmp(path, kept_path) == 0)
		return kept;
	if (kept >= 0)
		close(kept);
	kept = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	memcpy(kept_path, path, sizeof(path));
	return kept;
}

/*
 * Reads len bytes at off into a new string; NULL with errno set when they
 * cannot be had (EIO: the file is shorter than its header says).
 */
static char *
read_at(int fd, size_t len, off_t off)
{
	char *buf = malloc(len + 1);
	ssize_t n;

	if (buf != NULL && (n = pread(fd, buf, len, off)) != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/*
 * Reads the index of the listing open as out->fd: every INDEX_STRIDE-th
 * row's id and offset, ascending both.
 */
static int
read_index(struct listshare *out, size_t bytes, off_t at)
{
	char *text = read_at(out->fd, bytes, at);
	const char *p;
	uint64_t id, offset;
	size_t n = 0;

	if (text == NULL || (out->index = calloc(bytes / 4 + 1,
	    sizeof(*out->index))) == NULL) {
		free(text);
		return -1;
	}
	for (p = text; *p != '\0'; p++, n++) {
		if ((p = decimal_read(p, &id)) == NULL || *p++ != ' ' ||
		    (p = decimal_read(p, &offset)) == NULL || *p != '\n' ||
		    offset >= out->rows_len || (n > 0 &&
		    (id <= out->index[n - 1].id ||
		    offset <= out->index[n - 1].offset))) {
			free(text);
			return -1;
		}
		out->index[n].id = id;
		out->index[n].offset = (size_t)offset;
	}
	out->n_index = n;
	free(text);
	return 0;
}

/*
 * Takes the listing left at path when need allows it.  Only its header
 * and index are read here; rows are read as they are asked for
 * (listshare_rows), a group's at a time.  One of this boot taken too early,
 * or when only one taken now will do, still tells how large the next
 * answer will likely be: *size.
 */
static int
read_shared(const char *path, struct listing_need need, struct listshare *out,
    size_t *size)
{
	char head[HEADER_MAX + 1], format[sizeof(MAGIC) + BOOT_ID_LEN + 24];
	long long taken;
	unsigned long index_bytes;
	struct stat st;
	ssize_t n;
	int used = 0;

	if ((out->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	snprintf(format, sizeof(format), MAGIC " %s %%lld %%lu\n%%n",
	    boot_id());
	if (fstat(out->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (n = pread(out->fd, head, HEADER_MAX, 0)) <= 0)
		goto refused;
	head[n] = '\0';
	if (sscanf(head, format, &taken, &index_bytes, &used) != 2 ||
	    used == 0 || (off_t)(used + index_bytes) >= st.st_size)
		goto refused;
	/* The rows, and the NUL they are stored with. */
	out->rows_at = (off_t)(used + index_bytes);
	out->rows_len = (size_t)(st.st_size - out->rows_at - 1);
	/* Room for those rows and some more. */
	*size = out->rows_len + out->rows_len / 16 + 1;
	if (need.fresh || taken <= need.after)
		goto refused;
	if (read_index(out, index_bytes, used) != 0)
		goto refused;
	out->ascending = 1;
	out->taken = taken;
	return 1;
refused:
	listshare_release(out);
	return 0;
}

/* The index of rows (see read_index), or NULL when out of memory. */
static char *
make_index(const char *rows, size_t *bytes)
{
	size_t n = 0, at = 0, cap = 256;
	char *index = malloc(cap), *grown;
	const char *row = rows, *nl;
	uint64_t id;

	for (; index != NULL && *row != '\0'; n++) {
		if (n % INDEX_STRIDE == 0) {
			if (cap - at < 48) {
				if ((grown = realloc(index, cap *= 2)) == NULL) {
					free(index);
					return NULL;
				}
				index = grown;
			}
			decimal_read(row, &id);
			at += (size_t)snprintf(index + at, cap - at, "%" PRIu64
			    " %zu\n", id, (size_t)(row - rows));
		}
		if ((nl = strchr(row, '\n')) == NULL)
			break;
		row = nl + 1;
	}
	*bytes = at;
	return index;
}

/* Leaves the listing (ascending) for the others; one that cannot be left is not. */
static void
publish(const char *dir, const char *path, const struct listshare *list)
{
	char tmp[PATH_MAX], *index;
	size_t index_bytes;
	FILE *f;
	int fd, ok;

	if ((index = make_index(list->text, &index_bytes)) == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s/.listing.%ld", dir, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(index);
		return;
	}
	ok = fprintf(f, MAGIC " %s %" PRId64 " %zu\n", boot_id(),
	    list->taken, index_bytes) > 0 &&
	    fwrite(index, 1, index_bytes, f) == index_bytes &&
	    fwrite(list->text, 1, list->len + 1, f) == list->len + 1;
	free(index);
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0)
		unlink(tmp);
}

static int
take_listing(const struct stats_device *dev, size_t expect,
    struct listshare *out)
{
	struct stats_device asked = *dev;

	stats_expect_list(&asked, expect);
	out->taken = now_ns();
	if (stats_list_text(&asked, "", &out->own) != 0)
		return -1;
	out->text = out->own;
	out->len = strlen(out->own);
	out->ascending = rows_ascending(out->own);
	return 0;
}

/*
 * The lock is held exclusively to list, and shared to wait for a daemon
 * that lists: when it lets go, every daemon that waited wakes once and
 * reads its listing together with the others.
 */
int
listshare_get(const struct stats_device *dev, const char *dir,
    struct listing_need need, struct listshare *out)
{
	char path[PATH_MAX];
	size_t expect = 0;
	int lock, r, shared = !need.fresh;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (dir == NULL || boot_id() == NULL || !listshare_dir_usable(dir))
		return take_listing(dev, expect, out);
	snprintf(path, sizeof(path), "%s/%u:%u", dir, dev->major, dev->minor);
	if ((lock = open_lock(dir, dev)) < 0)
		return take_listing(dev, expect, out);
	if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
		/* Another daemon lists: its listing may do. */
		if (shared && wait_lock(lock, LOCK_SH) == 0 &&
		    read_shared(path, need, out, &expect) == 1) {
			flock(lock, LOCK_UN);
			return 0;
		}
		if (wait_lock(lock, LOCK_EX) != 0) {
			flock(lock, LOCK_UN);
			return take_listing(dev, expect, out);
		}
	}
	/*
	 * One may have been left before, or while this daemon waited (one
	 * that must be taken now is never taken, but says its size).
	 */
	if (read_shared(path, need, out, &expect) == 1) {
		flock(lock, LOCK_UN);
		return 0;
	}
	if ((r = take_listing(dev, expect, out)) == 0 && out->ascending)
		publish(dir, path, out);
	flock(lock, LOCK_UN);
	return r;
}

const char *
listshare_rows(struct listshare *list, uint64_t first, uint64_t last,
    size_t *len)
{
	size_t lo = 0, hi = list->n_index, from = 0, to = list->rows_len;

	if (list->fd < 0) {
		*len = list->len;
		return list->text;
	}
	/* The last mark at or before first, the first one past last. */
	while (lo < hi && list->index[lo].id <= first)
		lo++;
	if (lo > 0)
		from = list->index[lo - 1].offset;
	for (hi = lo; hi < list->n_index && list->index[hi].id <= last; hi++)
		;
	if (hi < list->n_index)
		to = list->index[hi].offset;
	free(list->span);
	if ((list->span = read_at(list->fd, to - from, list->rows_at +
	    (off_t)from)) == NULL)
		return NULL;
	*len = to - from;
	return list->span;
}

void
listshare_release(struct listshare *list)
{
	if (list->fd >= 0)
		close(list->fd);
	free(list->own);
	free(list->index);
	free(list->span);
	memset(list, 0, sizeof(*list));
	list->fd = -1;
}
