/*
 * The whole listing of a device's dm-stats regions, shared by the daemons
 * that follow groups on that device (see devlist.c).
 */
#ifndef DMFILEMAPD_DEVLIST_H
#define DMFILEMAPD_DEVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "stats.h"

/* Where daemons leave listings for each other; root's alone. */
#define DEVLIST_DIR "/run/dmfilemapd"
/* A listing others may take is taken this long after what it follows. */
#define DEVLIST_SETTLE_MS 50
/* A daemon waits no longer for another one listing the device. */
#define DEVLIST_LOCK_WAIT_MS 2000

/*
 * Which listing will do: one taken after a moment, such as one another
 * daemon left, or only one taken now.
 */
struct listing_need {
	bool fresh;		/* only one taken now */
	nsec_t after;		/* unless fresh, one taken after this */
};

#define LISTING_FRESH		((struct listing_need){ .fresh = true })
#define LISTING_AFTER(moment)	((struct listing_need){ .after = (moment) })

struct devlist_mark {
	uint64_t id;
	size_t offset;		/* where its row starts among the rows */
};

struct devlist {
	nsec_t taken;		/* when it was asked for */
	/* A listing this process took: its rows, in memory. */
	const char *text;	/* the kernel's answer, NUL-terminated */
	size_t len;		/* strlen(text) */
	char *own;		/* what text lies in, malloc'd */
	int ascending;		/* every row "<id>:", ids ascending (rows.h) */
	/* One another daemon left: rows read when asked for. */
	int fd;			/* the file, or -1 */
	off_t rows_at;		/* where the rows start in it */
	size_t rows_len;
	struct devlist_mark *index;	/* every few rows, ascending */
	size_t n_index;
	char *span;		/* the rows devlist_rows last gave */
};

/*
 * Whether dir is a directory of this user's alone, made if missing;
 * checked once, the daemon's from then on.
 */
int devlist_dir_usable(const char *dir);

/*
 * The regions of every program on dev as they were at some moment need
 * allows: one another daemon left in dir, or one taken now and left there
 * for the others.  With dir NULL, or when dir cannot be used, a listing
 * is taken now and shared with nobody.
 * Returns 0, or -1 with errno set when the kernel's answer could not be
 * had; nothing is logged.
 */
int devlist_get(const struct stats_device *dev, const char *dir,
    struct listing_need need, struct devlist *out);

/*
 * Rows of list that hold every row with an id from first to last, and
 * perhaps others, as whole rows: *len bytes, NUL-terminated, valid until
 * the next call.  NULL, with errno set, when they cannot be read.
 */
const char *devlist_rows(struct devlist *list, uint64_t first, uint64_t last,
    size_t *len);

void devlist_release(struct devlist *list);

#endif
