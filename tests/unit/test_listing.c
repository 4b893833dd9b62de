/* @stats_list answers as the kernel prints them. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "listing.h"

static void
test_plain_and_grouped_lines(void **state)
{
	struct listing l;
	const struct listed_region *r;

	(void)state;
	assert_int_equal(listing_parse(
	    "0: 32770+16384 16384 dmstats DMS_GROUP=file:0-4#-\n"
	    "1: 49154+8 8 dmstats -\n", &l), 0);
	assert_int_equal(l.count, 2);
	r = &l.regions[0];
	assert_int_equal(r->id, 0);
	assert_int_equal(r->start, 32770);
	assert_int_equal(r->len, 16384);
	assert_string_equal(r->program_id, "dmstats");
	assert_string_equal(r->aux, "DMS_GROUP=file:0-4#-");
	assert_string_equal(r->options, "");
	assert_int_equal(r->n_options, 0);
	r = listing_find(&l, 1);
	assert_non_null(r);
	assert_int_equal(r->start, 49154);
	assert_string_equal(r->aux, "-");
	assert_null(listing_find(&l, 2));
	listing_free(&l);
}

static void
test_options_after_aux(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(listing_parse(
	    "3: 0+100 100 dmstats - precise_timestamps histogram:10,20,30\n"
	    "4: 100+100 100 dmstats DMS_GROUP=a:4-5#- histogram:1,2\n"
	    "5: 200+100 100 dmstats - precise_timestamps\n", &l), 0);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.regions[0].aux, "-");
	assert_string_equal(l.regions[0].options,
	    "precise_timestamps histogram:10,20,30");
	assert_int_equal(l.regions[0].n_options, 2);
	assert_string_equal(l.regions[1].aux, "DMS_GROUP=a:4-5#-");
	assert_string_equal(l.regions[1].options, "histogram:1,2");
	assert_int_equal(l.regions[1].n_options, 1);
	assert_string_equal(l.regions[2].options, "precise_timestamps");
	assert_int_equal(l.regions[2].n_options, 1);
	listing_free(&l);
}

static void
test_aux_with_blanks(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(listing_parse(
	    "7: 8+8 8 dmstats DMS_GROUP=my file\tx:7#note here histogram:5\n",
	    &l), 0);
	assert_string_equal(l.regions[0].aux, "DMS_GROUP=my file\tx:7#note here");
	assert_string_equal(l.regions[0].options, "histogram:5");
	listing_free(&l);
}

static void
test_found_by_id_in_any_order(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(listing_parse("9: 90+1 1 p -\n2: 20+1 1 p -\n"
	    "5: 50+1 1 p -\n", &l), 0);
	assert_int_equal(listing_find(&l, 2)->start, 20);
	assert_int_equal(listing_find(&l, 5)->start, 50);
	assert_int_equal(listing_find(&l, 9)->start, 90);
	assert_null(listing_find(&l, 3));
	assert_int_equal(l.regions[0].id, 2);
	listing_free(&l);
}

static void
test_empty_and_malformed(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(listing_parse("", &l), 0);
	assert_int_equal(l.count, 0);
	listing_free(&l);
	assert_int_equal(listing_parse("x: 1+2 2 a b\n", &l), -1);
	assert_int_equal(listing_parse("1: 1-2 2 a b\n", &l), -1);
	assert_int_equal(listing_parse("1: 1+2 2 dmstats\n", &l), -1);
}

/*
 * Found by fuzzing: two lines by one id were both kept, and listing_find
 * then returned either.  The kernel never lists an id twice.
 */
static void
test_an_id_twice_is_malformed(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(listing_parse("0: 8+8 8 dmstats -\n"
	    "0: 16+8 8 dmstats -\n", &l), -1);
	assert_int_equal(errno, EBADMSG);
	assert_null(l.regions);
	assert_int_equal(l.count, 0);
	/* Out of order too: 3 comes twice once sorted. */
	assert_int_equal(listing_parse("3: 8+8 8 p -\n1: 0+8 8 p -\n"
	    "3: 24+8 8 p -\n", &l), -1);
	assert_int_equal(errno, EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_grouped_lines),
		cmocka_unit_test(test_options_after_aux),
		cmocka_unit_test(test_aux_with_blanks),
		cmocka_unit_test(test_found_by_id_in_any_order),
		cmocka_unit_test(test_empty_and_malformed),
		cmocka_unit_test(test_an_id_twice_is_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
