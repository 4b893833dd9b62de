/*
 * Parsing of @stats_list answers.  The options the kernel appends after the
 * aux_data are recognised from the end of the line, since the aux_data
 * itself may contain blanks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "extents.h"
#include "listing.h"

_Static_assert(offsetof(struct listed_region, id) == 0,
    "compare_ids orders regions by their first member");

#define PRECISE " precise_timestamps"
#define HISTOGRAM " histogram:"

static int
is_number_list(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && *s != ',')
			return 0;
	return 1;
}

/* Ends the aux_data at the options that follow it; returns the options. */
static const char *
split_options(char *rest, int *n_options)
{
	char *hist, *cut = NULL;
	size_t len = strlen(rest), plen = strlen(PRECISE);

	*n_options = 0;
	hist = strstr(rest, HISTOGRAM);
	while (hist != NULL && strstr(hist + 1, HISTOGRAM) != NULL)
		hist = strstr(hist + 1, HISTOGRAM);
	if (hist != NULL && is_number_list(hist + strlen(HISTOGRAM))) {
		cut = hist;
		len = (size_t)(hist - rest);
		(*n_options)++;
	}
	if (len >= plen && strncmp(rest + len - plen, PRECISE, plen) == 0) {
		cut = rest + len - plen;
		(*n_options)++;
	}
	if (cut == NULL)
		return "";
	*cut = '\0';
	return cut + 1;
}

static int
read_number(char **s, char end, uint64_t *out)
{
	const char *stop = decimal_read(*s, out);

	if (stop == NULL || *stop != end)
		return -1;
	*s += stop - *s + 1;
	return 0;
}

static int
parse_line(char *line, struct listed_region *r)
{
	char *p = line, *space;
	uint64_t step;

	/* The step (the length of its areas) is checked for form; nothing needs it. */
	if (read_number(&p, ':', &r->id) != 0 || *p++ != ' ' ||
	    read_number(&p, '+', &r->start) != 0 ||
	    read_number(&p, ' ', &r->len) != 0 ||
	    read_number(&p, ' ', &step) != 0)
		return -1;
	space = strchr(p, ' ');
	if (space == NULL)
		return -1;
	*space = '\0';
	r->program_id = p;
	r->aux = space + 1;
	/* The options are cut off the aux_data in place. */
	r->options = split_options(space + 1, &r->n_options);
	return 0;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n + 1;
}

/*
 * The kernel lists regions by ascending id, so a group of thousands of
 * members is looked up in O(m log n); should an answer ever come out of
 * order, it is sorted once here.  Two regions by one id cannot come from
 * the kernel: such an answer is refused (-1) rather than let listing_find
 * pick either.
 */
static int
order_by_id(struct listing *listing)
{
	size_t i;

	for (i = 1; i < listing->count; i++)
		if (listing->regions[i - 1].id > listing->regions[i].id) {
			qsort(listing->regions, listing->count,
			    sizeof(*listing->regions), compare_ids);
			break;
		}
	for (i = 1; i < listing->count; i++)
		if (listing->regions[i - 1].id == listing->regions[i].id)
			return -1;
	return 0;
}

int
listing_parse(const char *answer, struct listing *out)
{
	char *line, *next;

	memset(out, 0, sizeof(*out));
	out->text = strdup(answer ? answer : "");
	if (out->text == NULL)
		return -1;
	out->regions = calloc(count_lines(out->text), sizeof(*out->regions));
	if (out->regions == NULL) {
		listing_free(out);
		return -1;
	}
	for (line = out->text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0')
			continue;
		if (parse_line(line, &out->regions[out->count]) != 0) {
			listing_free(out);
			errno = EBADMSG;
			return -1;
		}
		out->count++;
	}
	if (order_by_id(out) != 0) {
		listing_free(out);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

const struct listed_region *
listing_find(const struct listing *listing, uint64_t id)
{
	struct listed_region key = { .id = id };

	return bsearch(&key, listing->regions, listing->count,
	    sizeof(key), compare_ids);
}

void
listing_free(struct listing *listing)
{
	free(listing->regions);
	free(listing->text);
	memset(listing, 0, sizeof(*listing));
}
