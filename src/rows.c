/*
 * Looking rows up in a listing by binary search over its text: a group of
 * m members on a device of n regions is read in O(m log n), whatever the
 * other groups hold.
 */
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "rows.h"

/* The id a row starts with, or -1 when the row does not start with "<id>:". */
static int
row_id(const char *row, uint64_t *id)
{
	const char *end = decimal_read(row, id);

	return end != NULL && *end == ':' ? 0 : -1;
}

int
rows_ascending(const char *text)
{
	const char *row = text, *nl;
	uint64_t id, last = 0;
	int first = 1;

	while (*row != '\0') {
		if (row_id(row, &id) != 0 || (!first && id <= last))
			return 0;
		first = 0;
		last = id;
		if ((nl = strchr(row, '\n')) == NULL)
			break;
		row = nl + 1;
	}
	return 1;
}

/*
 * Compares id with the row starting at start: returns <0, 0 or >0 as the
 * row's id is lower, equal or higher, -2 for a row that is no row; *end
 * receives where the row ends.
 */
static int
probe(const char *text, size_t text_len, size_t start, uint64_t id,
    const char **end)
{
	uint64_t at;

	if (row_id(text + start, &at) != 0)
		return -2;
	*end = memchr(text + start, '\n', text_len - start);
	if (*end == NULL)
		*end = text + text_len;
	return at < id ? -1 : at > id;
}

/*
 * The row of id at or after offset lo, a row's start, or NULL.  The row at
 * lo is tried first: the next member of a group is mostly the next row.
 */
static const char *
find_from(const char *text, size_t text_len, size_t lo, uint64_t id,
    size_t *len)
{
	size_t hi = text_len, start = lo;
	const char *end;
	int c;

	/* lo is always the start of a row; rows in [lo, hi) are unsearched. */
	while (lo < hi) {
		if ((c = probe(text, text_len, start, id, &end)) == -2)
			return NULL;
		if (c == 0) {
			*len = (size_t)(end - (text + start));
			return text + start;
		}
		if (c < 0)
			lo = (size_t)(end - text) + 1;
		else
			hi = start;
		if (lo >= hi)
			break;
		for (start = lo + (hi - lo) / 2; start > lo &&
		    text[start - 1] != '\n'; start--)
			;
	}
	return NULL;
}

const char *
rows_find(const char *text, size_t text_len, uint64_t id, size_t *len)
{
	return find_from(text, text_len, 0, id, len);
}

int
rows_select(const char *text, size_t text_len, const uint64_t *ids,
    size_t n, struct listing *out)
{
	const char **rows = calloc(n + 1, sizeof(*rows));
	size_t *lens = calloc(n + 1, sizeof(*lens));
	size_t i, total = 1, at = 0, from = 0;
	char *picked = NULL;
	int r = -1;

	if (rows != NULL && lens != NULL) {
		/*
		 * The ids ascend, and so do the rows: each is looked for only
		 * past the last one found, and a group's members, mostly
		 * neighbours, are found at the first try.
		 */
		for (i = 0; i < n; i++) {
			if ((rows[i] = find_from(text, text_len, from, ids[i],
			    &lens[i])) == NULL)
				continue;
			total += lens[i] + 1;
			from = (size_t)(rows[i] - text) + lens[i] + 1;
		}
		picked = malloc(total);
	}
	if (picked != NULL) {
		for (i = 0; i < n; i++) {
			if (rows[i] == NULL)
				continue;
			memcpy(picked + at, rows[i], lens[i]);
			at += lens[i];
			picked[at++] = '\n';
		}
		picked[at] = '\0';
		r = listing_parse(picked, out);
	}
	free(picked);
	free(rows);
	free(lens);
	return r;
}
