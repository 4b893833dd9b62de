/*
 * Which device-mapper device a file's group lives on, and the file's
 * ranges on it.  btrfs's chunks move (balance, device removal) without
 * any event on the file, so the chunk tree is read again with every
 * reading of the file's extents.
 */
#include <errno.h>
#include <libdevmapper.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "btrfs.h"
#include "fault.h"
#include "target.h"

/* "253:1 253:2": the devices of set, for messages. */
static const char *
device_list(const struct target_set *set, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < set->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u:%u",
		    i ? " " : "", major(set->each[i].devno),
		    minor(set->each[i].devno));
	return buf;
}

/*
 * Keeps only the target on device when --device names one (device not 0),
 * and refuses it when none is.
 */
static int
keep_device(struct target_set *set, dev_t device, const char *where,
    struct fault *f)
{
	char list[TARGETS_MAX * 24];
	size_t i;

	if (device == 0)
		return 0;
	for (i = 0; i < set->n; i++)
		if (set->each[i].devno == device) {
			set->each[0] = set->each[i];
			set->n = 1;
			return 0;
		}
	return faultx(f, "--device '%u:%u' is not %s (%s)", major(device),
	    minor(device), where, device_list(set, list, sizeof(list)));
}

static int
find_btrfs(int fd, const char *what, dev_t device, struct target_set *set,
    struct fault *f)
{
	struct btrfs_dm devs[TARGETS_MAX];
	struct chunk_map chunks;
	int unhandled, flags;
	bool cow;
	size_t i;

	if (btrfs_dm_devices(fd, what, devs, TARGETS_MAX, &set->n, f) != 0)
		return -1;
	if (btrfs_read_chunks(fd, &chunks) != 0)
		return fault(f, "%s: cannot read the btrfs chunk tree", what);
	unhandled = chunks_unhandled_data(&chunks);
	chunk_map_free(&chunks);
	if (unhandled)
		return faultx(f, "%s: the btrfs file system keeps data as "
		    "RAID5 or RAID6, whose stripes are not followed", what);
	cow = ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0 ||
	    !(flags & FS_NOCOW_FL);
	for (i = 0; i < set->n; i++) {
		set->each[i].btrfs = 1;
		set->each[i].cow = cow;
		set->each[i].devid = devs[i].devid;
		set->each[i].devno = devs[i].devno;
	}
	return keep_device(set, device, "one of the btrfs file system's "
	    "device-mapper devices", f);
}

int
target_find(int fd, const struct stat *st, const char *what, dev_t device,
    struct target_set *set, struct fault *f)
{
	struct statfs fs;
	struct target *t = &set->each[0];

	memset(set, 0, sizeof(*set));
	if (fstatfs(fd, &fs) == 0 && fs.f_type == BTRFS_SUPER_MAGIC)
		return find_btrfs(fd, what, device, set, f);
	t->xfs = fstatfs(fd, &fs) == 0 && fs.f_type == XFS_SUPER_MAGIC;
	if (!dm_is_dm_major(major(st->st_dev)))
		return faultx(f, "%s: the file is on device %u:%u, which is "
		    "not a device-mapper device", what, major(st->st_dev),
		    minor(st->st_dev));
	t->devno = st->st_dev;
	set->n = 1;
	return keep_device(set, device, "the file's device", f);
}

int
target_only(const struct target_set *set, const char *what,
    struct target *t, struct fault *f)
{
	char list[TARGETS_MAX * 24];

	if (set->n == 1) {
		*t = set->each[0];
		return 0;
	}
	return faultx(f, "%s: the btrfs file system lies on %zu "
	    "device-mapper devices (%s); the group is named with --groupid "
	    "ID --device MAJOR:MINOR FILE", what, set->n,
	    device_list(set, list, sizeof(list)));
}

/*
 * The file's btrfs logical ranges, from its extent items; from FIEMAP
 * where the tree may not be searched (without CAP_SYS_ADMIN), which
 * leaves compressed extents out.
 */
static int
read_logical(int fd, struct file_map *map)
{
	if (btrfs_read_file_map(fd, map) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	return file_map_read(fd, map);
}

/* The map's logical ranges to t's device; EAGAIN when some lie in no chunk. */
static int
translate(int fd, const struct target *t, struct file_map *map)
{
	struct chunk_map chunks;
	struct range *ranges;
	size_t n;
	enum chunks_status st;

	if (btrfs_read_chunks(fd, &chunks) != 0)
		return -1;
	st = chunks_translate(&chunks, t->devid, map->ranges, map->count,
	    &ranges, &n);
	chunk_map_free(&chunks);
	switch (st) {
	case CHUNKS_OK:
		file_map_take_ranges(map, ranges, n);
		return 0;
	case CHUNKS_NO_MEMORY:
		errno = ENOMEM;
		return -1;
	case CHUNKS_PROFILE:
		errno = EOPNOTSUPP;
		return -1;
	default:
		errno = EAGAIN;
		return -1;
	}
}

dev_t
target_devno(const struct target *t)
{
	return t->devno;
}

bool
target_writes_move_data(const struct target *t)
{
	return t->cow;
}

int
target_read_map(int fd, const struct target *t, struct file_map *map)
{
	int tries;

	if (!t->btrfs)
		return file_map_read(fd, map);
	/* A range no chunk holds: a chunk moved between the two reads. */
	for (tries = 0; tries < 2; tries++) {
		if (read_logical(fd, map) != 0)
			return -1;
		if (translate(fd, t, map) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return -1;
}

/*
 * xfs allocates past the end of a file that grows and frees what is left
 * of that when the file is closed, unless fallocate(2) has made blocks
 * there (the inode is then marked prealloc and keeps them).
 */
int
target_close_frees(int fd, const struct target *t,
    const struct file_map *layout)
{
	struct fsxattr attr;
	struct stat st;

	if (!t->xfs)
		return 0;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &attr) == 0 &&
	    (attr.fsx_xflags & FS_XFLAG_PREALLOC))
		return 0;
	return fstat(fd, &st) != 0 ||
	    layout->end > (unsigned long long)st.st_size;
}
