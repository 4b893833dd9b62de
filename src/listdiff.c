/*
 * Two listings compared row by row, in one walk over both since their ids
 * ascend; then each group descriptor of either is read to learn whether
 * it names a changed row.  Rows are compared as text: a region deleted
 * and created again with the same row is the same region to a daemon.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "descriptor.h"
#include "extents.h"
#include "listdiff.h"
#include "listing.h"

#define GROUP_MARK " DMS_GROUP="

struct id_list {
	uint64_t *ids;
	size_t n, cap;
};

static int
id_push(struct id_list *l, uint64_t id)
{
	uint64_t *grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((grown = realloc(l->ids, l->cap * sizeof(*grown))) == NULL)
			return -1;
		l->ids = grown;
	}
	l->ids[l->n++] = id;
	return 0;
}

/* A walk over the rows of a listing, one row at a time. */
struct cursor {
	const char *at, *end;	/* the row's start, the text's end */
	size_t len;		/* the row's length without its newline */
	uint64_t id;		/* UINT64_MAX past the last row */
};

static void
cursor_row(struct cursor *c)
{
	const char *nl;

	if (c->at >= c->end || decimal_read(c->at, &c->id) == NULL) {
		c->at = c->end;
		c->id = UINT64_MAX;
		c->len = 0;
		return;
	}
	nl = memchr(c->at, '\n', (size_t)(c->end - c->at));
	c->len = (size_t)((nl != NULL ? nl : c->end) - c->at);
}

static void
cursor_start(struct cursor *c, const char *text, size_t len)
{
	c->at = text;
	c->end = text + len;
	cursor_row(c);
}

static void
cursor_next(struct cursor *c)
{
	c->at += c->len + 1;
	cursor_row(c);
}

/* Ids whose rows differ, or are in one listing only; ascending. */
static int
changed_rows(const char *before, size_t before_len, const char *after,
    size_t after_len, struct id_list *changed)
{
	struct cursor b, a;
	int r = 0;

	cursor_start(&b, before, before_len);
	cursor_start(&a, after, after_len);
	while (r == 0 && (b.at < b.end || a.at < a.end)) {
		if (b.id < a.id) {
			r = id_push(changed, b.id);
			cursor_next(&b);
		} else if (a.id < b.id) {
			r = id_push(changed, a.id);
			cursor_next(&a);
		} else {
			if (a.len != b.len || memcmp(a.at, b.at, a.len) != 0)
				r = id_push(changed, a.id);
			cursor_next(&a);
			cursor_next(&b);
		}
	}
	return r;
}

/* Whether the ascending lists a (of na) and b (of nb) share an id. */
static int
share_an_id(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j])
			return 1;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return 0;
}

/*
 * The descriptor a row holds, if it holds one: *named says whether d
 * holds it (an unreadable one leads no group any daemon follows).
 * Returns 0, or -1 when memory runs out.
 */
static int
row_descriptor(const struct cursor *c, struct descriptor *d, int *named)
{
	struct listing one;
	char *row;
	int r;

	*named = 0;
	if (memmem(c->at, c->len, GROUP_MARK, strlen(GROUP_MARK)) == NULL)
		return 0;
	if ((row = strndup(c->at, c->len)) == NULL)
		return -1;
	r = listing_parse(row, &one);
	free(row);
	if (r != 0)
		return errno == EBADMSG ? 0 : -1;
	*named = one.count == 1 &&
	    descriptor_parse(one.regions[0].aux, d) == DESCRIPTOR_FOUND;
	listing_free(&one);
	return 0;
}

/* Adds the leaders of text's groups that name a changed id (all: NULL). */
static int
groups_touched(const char *text, size_t len, const struct id_list *changed,
    struct id_list *leaders)
{
	struct descriptor d;
	struct cursor c;
	int r = 0, named;

	for (cursor_start(&c, text, len); r == 0 && c.at < c.end;
	    cursor_next(&c)) {
		if (row_descriptor(&c, &d, &named) != 0)
			return -1;
		if (named && (changed == NULL || bsearch(&c.id, changed->ids,
		    changed->n, sizeof(c.id), compare_ids) != NULL ||
		    share_an_id(d.members, d.n_members, changed->ids,
		    changed->n)))
			r = id_push(leaders, c.id);
		if (named)
			descriptor_free(&d);
	}
	return r;
}

int
listdiff_changed_groups(const char *before, size_t before_len,
    const char *after, size_t after_len, uint64_t **leaders, size_t *n)
{
	struct id_list changed = { 0 }, found = { 0 };
	size_t i, kept = 0;
	int r;

	/* Mostly, nothing changed. */
	if (before != NULL && before_len == after_len &&
	    memcmp(before, after, after_len) == 0)
		r = 0;
	else if (before == NULL)
		r = groups_touched(after, after_len, NULL, &found);
	else if ((r = changed_rows(before, before_len, after, after_len,
	    &changed)) == 0 && changed.n > 0)
		r = groups_touched(before, before_len, &changed, &found) != 0 ||
		    groups_touched(after, after_len, &changed, &found) != 0 ?
		    -1 : 0;
	free(changed.ids);
	if (r != 0) {
		free(found.ids);
		return -1;
	}
	if (found.n > 1)
		qsort(found.ids, found.n, sizeof(*found.ids), compare_ids);
	for (i = 0; i < found.n; i++)
		if (kept == 0 || found.ids[i] != found.ids[kept - 1])
			found.ids[kept++] = found.ids[i];
	*leaders = found.ids;
	*n = kept;
	return 0;
}
