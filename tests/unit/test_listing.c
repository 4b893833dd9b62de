/* @stats_list answers as the kernel prints them. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "listing.h"
#include "table.h"

#define REGIONS(...) (const struct listed_region[]){ __VA_ARGS__ }, \
	COUNT(((const struct listed_region[]){ __VA_ARGS__ }))

/* An answer, and every region it lists; or refused as not the kernel's. */
static const struct parse_case {
	const char *name;
	const char *text;
	const struct listed_region *regions;	/* ascending id */
	size_t n_regions;
	uint64_t absent;	/* an id listing_find finds nothing by */
	bool refused;		/* -1 with EBADMSG, nothing left */
} parses[] = {
	{ "plain_and_grouped_lines",
	  "0: 32770+16384 16384 dmstats DMS_GROUP=file:0-4#-\n"
	  "1: 49154+8 8 dmstats -\n",
	  REGIONS({ 0, 32770, 16384, "dmstats", "DMS_GROUP=file:0-4#-", "", 0 },
	  { 1, 49154, 8, "dmstats", "-", "", 0 }), 2, false },
	{ "options_after_aux",
	  "3: 0+100 100 dmstats - precise_timestamps histogram:10,20,30\n"
	  "4: 100+100 100 dmstats DMS_GROUP=a:4-5#- histogram:1,2\n"
	  "5: 200+100 100 dmstats - precise_timestamps\n",
	  REGIONS({ 3, 0, 100, "dmstats", "-",
	  "precise_timestamps histogram:10,20,30", 2 },
	  { 4, 100, 100, "dmstats", "DMS_GROUP=a:4-5#-", "histogram:1,2", 1 },
	  { 5, 200, 100, "dmstats", "-", "precise_timestamps", 1 }), 0,
	  false },
	{ "aux_with_blanks",
	  "7: 8+8 8 dmstats DMS_GROUP=my file\tx:7#note here histogram:5\n",
	  REGIONS({ 7, 8, 8, "dmstats", "DMS_GROUP=my file\tx:7#note here",
	  "histogram:5", 1 }), 8, false },
	{ "found_by_id_in_any_order",
	  "9: 90+1 1 p -\n2: 20+1 1 p -\n5: 50+1 1 p -\n",
	  REGIONS({ 2, 20, 1, "p", "-", "", 0 }, { 5, 50, 1, "p", "-", "", 0 },
	  { 9, 90, 1, "p", "-", "", 0 }), 3, false },
	{ "empty", "", NULL, 0, 0, false },
	{ "id_not_a_number", "x: 1+2 2 a b\n", .refused = true },
	{ "no_plus", "1: 1-2 2 a b\n", .refused = true },
	{ "no_aux", "1: 1+2 2 dmstats\n", .refused = true },
	/*
	 * Found by fuzzing: two lines by one id were both kept, and
	 * listing_find then returned either.  The kernel never lists an id
	 * twice.
	 */
	{ "an_id_twice", "0: 8+8 8 dmstats -\n0: 16+8 8 dmstats -\n",
	  .refused = true },
	/* Out of order too: 3 comes twice once sorted. */
	{ "an_id_twice_out_of_order",
	  "3: 8+8 8 p -\n1: 0+8 8 p -\n3: 24+8 8 p -\n", .refused = true },
};

static void
expect_region(const struct listed_region *got,
    const struct listed_region *want)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->start, want->start);
	assert_int_equal(got->len, want->len);
	assert_string_equal(got->program_id, want->program_id);
	assert_string_equal(got->aux, want->aux);
	assert_string_equal(got->options, want->options);
	assert_int_equal(got->n_options, want->n_options);
}

/* Each region is listed in order, and found by its id. */
static void
run_parse_case(void **state)
{
	const struct parse_case *c = *state;
	struct listing l;
	size_t i;

	if (c->refused) {
		assert_int_equal(listing_parse(c->text, &l), -1);
		assert_int_equal(errno, EBADMSG);
		assert_null(l.regions);
		assert_int_equal(l.count, 0);
		return;
	}
	assert_int_equal(listing_parse(c->text, &l), 0);
	assert_int_equal(l.count, c->n_regions);
	for (i = 0; i < c->n_regions; i++) {
		expect_region(&l.regions[i], &c->regions[i]);
		assert_ptr_equal(listing_find(&l, c->regions[i].id),
		    &l.regions[i]);
	}
	assert_null(listing_find(&l, c->absent));
	listing_free(&l);
}

int
main(void)
{
	static const struct table tables[] = {
		TABLE("parse", parses, run_parse_case),
	};

	return run_with_tables(NULL, 0, tables, COUNT(tables));
}
