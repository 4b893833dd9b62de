/*
 * libFuzzer target: @stats_list answers.  A parsed listing must hold one
 * region per non-empty line, by strictly ascending id, each found again by
 * listing_find; its strings must lie in the listing's own text, and the
 * options must be what the kernel appends.  A region's line written anew
 * must read back the same.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "listing.h"

static size_t
nonempty_lines(const char *s)
{
	size_t n = 0, len = 0;

	for (;; s++) {
		if (*s == '\n' || *s == '\0') {
			n += len > 0;
			len = 0;
			if (*s == '\0')
				return n;
		} else {
			len++;
		}
	}
}

/* A histogram's bounds: digits and commas, at least one character. */
static int
bounds_ok(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789,") == strlen(s);
}

static void
check_options(const char *o, int n)
{
	static const char precise[] = "precise_timestamps", hist[] = "histogram:";

	CHECK(n >= 0 && n <= 2);
	if (n == 0) {
		CHECK(*o == '\0');
		return;
	}
	if (strncmp(o, precise, strlen(precise)) == 0) {
		o += strlen(precise);
		if (n == 1) {
			CHECK(*o == '\0');
			return;
		}
		CHECK(*o++ == ' ');
	} else {
		CHECK(n == 1);
	}
	CHECK(strncmp(o, hist, strlen(hist)) == 0);
	CHECK(bounds_ok(o + strlen(hist)));
}

/* The region's line as the kernel would print it reads back the same. */
static void
check_line_again(const struct listed_region *r)
{
	struct listing again;
	const struct listed_region *a;
	char *line;

	/* The step is not kept: a region of one area has its length as step. */
	CHECK(asprintf(&line, "%" PRIu64 ": %" PRIu64 "+%" PRIu64 " %" PRIu64
	    " %s %s%s%s", r->id, r->start, r->len, r->len, r->program_id,
	    r->aux, r->n_options ? " " : "", r->options) >= 0);
	CHECK(listing_parse(line, &again) == 0);
	CHECK(again.count == 1);
	a = &again.regions[0];
	CHECK(a->id == r->id && a->start == r->start && a->len == r->len &&
	    a->n_options == r->n_options);
	CHECK(strcmp(a->program_id, r->program_id) == 0);
	CHECK(strcmp(a->aux, r->aux) == 0);
	CHECK(strcmp(a->options, r->options) == 0);
	listing_free(&again);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_string(data, size);
	size_t len = strlen(input), i;
	struct listing l;
	const struct listed_region *r;

	errno = 0;
	if (listing_parse(input, &l) != 0) {
		/* Nothing is left to free, and the reason is told. */
		CHECK(errno == EBADMSG || errno == ENOMEM);
		CHECK(l.regions == NULL && l.text == NULL && l.count == 0);
		free(input);
		return 0;
	}
	CHECK(memcmp(input, data, len) == 0);
	CHECK(l.count == nonempty_lines(input));
	for (i = 0; i < l.count; i++) {
		r = &l.regions[i];
		CHECK(i == 0 || l.regions[i - 1].id < r->id);
		CHECK(listing_find(&l, r->id) == r);
		CHECK(fuzz_within(r->program_id, l.text, len));
		CHECK(fuzz_within(r->aux, l.text, len));
		CHECK(*r->options == '\0' || fuzz_within(r->options, l.text, len));
		CHECK(strpbrk(r->program_id, " \n") == NULL);
		CHECK(strchr(r->aux, '\n') == NULL);
		check_options(r->options, r->n_options);
		check_line_again(r);
	}
	if (l.count > 0 && l.regions[l.count - 1].id < UINT64_MAX)
		CHECK(listing_find(&l, l.regions[l.count - 1].id + 1) == NULL);
	listing_free(&l);
	CHECK(l.regions == NULL && l.text == NULL && l.count == 0);
	free(input);
	return 0;
}
