/*
 * Sector ranges, and a file's ranges on its device through FIEMAP (on
 * btrfs through its extent items, btrfs_single.c).  Ranges are compared
 * as sets of sectors: a group covers a file when the union of its regions
 * is the union of the file's extents.
 */
#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>

#include "group_wait.h"

#define BATCH 512
/* No device address yet, or blocks shared with metadata: nothing counts them. */
#define UNPLACED (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | \
    FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_NOT_ALIGNED | \
    FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL)

int
spans_add(struct spans *s, uint64_t start, uint64_t len)
{
	struct span *grown;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 64;
		if ((grown = realloc(s->v, cap * sizeof(*grown))) == NULL)
			return -1;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n].start = start;
	s->v[s->n++].len = len;
	return 0;
}

static int
compare_starts(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void
spans_normalize(struct spans *s)
{
	size_t i, n = 0;
	uint64_t end;

	qsort(s->v, s->n, sizeof(*s->v), compare_starts);
	for (i = 0; i < s->n; i++) {
		if (s->v[i].len == 0)
			continue;
		end = n ? s->v[n - 1].start + s->v[n - 1].len : 0;
		if (n == 0 || s->v[i].start > end) {
			s->v[n++] = s->v[i];
		} else if (s->v[i].start + s->v[i].len > end) {
			s->v[n - 1].len = s->v[i].start + s->v[i].len -
			    s->v[n - 1].start;
		}
	}
	s->n = n;
}

int
spans_equal(const struct spans *a, const struct spans *b)
{
	return a->n == b->n &&
	    (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(*a->v)) == 0);
}

uint64_t
spans_uncovered(const struct spans *want, const struct spans *have)
{
	uint64_t missing = 0, at, end, hend;
	size_t i, j = 0;

	for (i = 0; i < want->n; i++) {
		at = want->v[i].start;
		end = at + want->v[i].len;
		while (at < end) {
			while (j < have->n &&
			    have->v[j].start + have->v[j].len <= at)
				j++;
			if (j == have->n || have->v[j].start >= end) {
				missing += end - at;
				break;
			}
			if (have->v[j].start > at)
				missing += have->v[j].start - at;
			hend = have->v[j].start + have->v[j].len;
			at = hend < end ? hend : end;
		}
	}
	return missing;
}

uint64_t
spans_total(const struct spans *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		total += s->v[i].len;
	return total;
}

void
spans_free(struct spans *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Adds one FIEMAP answer; returns 1 after the file's last extent. */
static int
add_extents(struct spans *out, const struct fiemap *fm, uint64_t *next)
{
	const struct fiemap_extent *fe;
	unsigned int i;

	for (i = 0; i < fm->fm_mapped_extents; i++) {
		fe = &fm->fm_extents[i];
		*next = fe->fe_logical + fe->fe_length;
		if (!(fe->fe_flags & UNPLACED) &&
		    spans_add(out, fe->fe_physical >> 9, fe->fe_length >> 9) != 0)
			return -1;
		if (fe->fe_flags & FIEMAP_EXTENT_LAST)
			return 1;
	}
	return 0;
}

int
file_spans(int fd, struct spans *out)
{
	static union {
		struct fiemap fm;
		char bytes[sizeof(struct fiemap) +
		    BATCH * sizeof(struct fiemap_extent)];
	} buf;
	struct statfs fs;
	uint64_t next = 0;
	int done = 0;

	/*
	 * btrfs answers logical addresses: the benchmark reads the file's
	 * extent items and the file system's chunks.
	 */
	if (fstatfs(fd, &fs) == 0 && fs.f_type == BTRFS_SUPER_MAGIC)
		return btrfs_logical_spans(fd, out) != 0 ? -1 :
		    btrfs_single_spans(fd, out);
	out->n = 0;
	while (!done) {
		memset(&buf.fm, 0, sizeof(buf.fm));
		buf.fm.fm_start = next;
		buf.fm.fm_length = FIEMAP_MAX_OFFSET - next;
		buf.fm.fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &buf.fm) != 0)
			return -1;
		if (buf.fm.fm_mapped_extents == 0)
			break;
		if ((done = add_extents(out, &buf.fm, &next)) < 0)
			return -1;
	}
	spans_normalize(out);
	return 0;
}
