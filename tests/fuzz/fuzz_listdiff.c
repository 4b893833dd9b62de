/*
 * libFuzzer target: which groups a device's watcher prompts (listdiff.h).
 * The input is two listings, before and after, split at the first form
 * feed.  On any text the comparison ends, names each leader once, in
 * ascending order, and only ids that start a row of either listing; a
 * listing compared with itself names none.
 */
#include "fuzz.h"
#include "decimal.h"
#include "listdiff.h"

/* Whether some row of text starts with "<id>:". */
static int
starts_a_row(const char *text, uint64_t id)
{
	const char *row = text, *end;
	uint64_t at;

	for (; row != NULL && *row != '\0'; row = strchr(row, '\n')) {
		if (*row == '\n')
			row++;
		if ((end = decimal_read(row, &at)) != NULL && at == id)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_string(data, size), *after;
	uint64_t *leaders;
	size_t n, i;

	if ((after = strchr(input, '\f')) != NULL)
		*after++ = '\0';
	else
		after = input + strlen(input);
	CHECK(listdiff_changed_groups(input, strlen(input), after,
	    strlen(after), &leaders, &n) == 0);
	for (i = 0; i < n; i++) {
		CHECK(i == 0 || leaders[i - 1] < leaders[i]);
		CHECK(starts_a_row(input, leaders[i]) ||
		    starts_a_row(after, leaders[i]));
	}
	free(leaders);
	CHECK(listdiff_changed_groups(after, strlen(after), after,
	    strlen(after), &leaders, &n) == 0);
	CHECK(n == 0);
	free(leaders);
	CHECK(listdiff_changed_groups(NULL, 0, after, strlen(after), &leaders,
	    &n) == 0);
	for (i = 0; i < n; i++)
		CHECK(starts_a_row(after, leaders[i]));
	free(leaders);
	free(input);
	return 0;
}
