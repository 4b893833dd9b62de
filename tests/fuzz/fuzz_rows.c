/*
 * libFuzzer target: rows looked up by id (rows.h).  On any text the
 * lookups end without reading past it; on text whose rows ascend, every
 * row is found where it is, an id between two rows is not found, and
 * selecting every row's id parses them all.
 */
#include "fuzz.h"
#include "decimal.h"
#include "rows.h"

#define MOST_ROWS 512

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_string(data, size);
	size_t len = strlen(input), row_len, n = 0, i;
	uint64_t ids[MOST_ROWS];
	const char *row, *end, *p;
	struct listing picked;

	/* Any text: lookups of ids the text names, or not, only end. */
	for (p = input; n < MOST_ROWS && (p = strpbrk(p, "0123456789")) != NULL; )
		if ((end = decimal_read(p, &ids[n])) == NULL)
			p++;
		else {
			(void)rows_find(input, len, ids[n], &row_len);
			(void)rows_find(input, len, ids[n] + 1, &row_len);
			p = end;
			n++;
		}
	if (!rows_ascending(input)) {
		free(input);
		return 0;
	}
	for (n = 0, p = input; p != NULL && *p != '\0' && n < MOST_ROWS; n++) {
		CHECK(decimal_read(p, &ids[n]) != NULL);
		row = rows_find(input, len, ids[n], &row_len);
		CHECK(row == p);
		CHECK(p[row_len] == '\n' || p[row_len] == '\0');
		if (n > 0 && ids[n - 1] + 1 < ids[n])
			CHECK(rows_find(input, len, ids[n - 1] + 1, &row_len) == NULL);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	/* Rows the listing parser refuses may make the selection fail. */
	if (rows_select(input, len, ids, n, &picked) == 0) {
		CHECK(picked.count <= n);
		for (i = 1; i < picked.count; i++)
			CHECK(picked.regions[i - 1].id < picked.regions[i].id);
		listing_free(&picked);
	}
	free(input);
	return 0;
}
