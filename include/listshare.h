/*
 * The whole listing of a device's dm-stats regions, shared by the daemons
 * that follow groups on that device (see listshare.c).
 */
#ifndef DMFILEMAPD_LISTSHARE_H
#define DMFILEMAPD_LISTSHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "stats.h"

/* Where daemons leave listings for each other; root's alone. */
#define LISTSHARE_DIR "/run/dmfilemapd"
/* A daemon waits no longer for another one listing the device. */
#define LISTSHARE_LOCK_WAIT_MS 2000

/*
 * Which listing will do: one taken after a moment, such as one another
 * daemon left, or only one taken now.  Either is taken at once: when to
 * look after a use of device-mapper is the timetable's to say.
 */
struct listing_need {
	bool fresh;		/* only one taken now */
	nsec_t after;		/* unless fresh, one taken after this */
};

#define LISTING_FRESH		((struct listing_need){ .fresh = true })
#define LISTING_AFTER(moment)	((struct listing_need){ .after = (moment) })

struct listshare_mark {
	uint64_t id;
	size_t offset;		/* where its row starts among the rows */
};

struct listshare {
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
	struct listshare_mark *index;	/* every few rows, ascending */
	size_t n_index;
	char *span;		/* the rows listshare_rows last gave */
};

/*
 * Whether dir is a directory of this user's alone, made if missing;
 * checked once, the daemon's from then on.
 */
int listshare_dir_usable(const char *dir);

/*
 * The regions of every program on dev as they were at some moment need
 * allows: one another daemon left in dir, or one taken now and left there
 * for the others.  With dir NULL, or when dir cannot be used, a listing
 * is taken now and shared with nobody.
 * Returns 0, or -1 with errno set when the kernel's answer could not be
 * had; nothing is logged.
 */
int listshare_get(const struct stats_device *dev, const char *dir,
    struct listing_need need, struct listshare *out);

/*
 * Rows of list that hold every row with an id from first to last, and
 * perhaps others, as whole rows: *len bytes, NUL-terminated, valid until
 * the next call.  NULL, with errno set, when they cannot be read.
 */
const char *listshare_rows(struct listshare *list, uint64_t first,
    uint64_t last, size_t *len);

void listshare_release(struct listshare *list);

#endif
