/*
 * Whether the leader's @stats_list row, with a descriptor as its aux_data,
 * stays within what libdevmapper reads of a listing: against the kernel's
 * own format of the row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "descriptor.h"

/*
 * The leader's @stats_list row as the kernel prints it, newline included
 * (dm-stats.c: "%d: %llu+%llu %llu %s %s", then " precise_timestamps",
 * " histogram:..." and "\n"): its length is what the model says fits.
 */
static size_t
kernel_row_length(uint64_t id, const struct range *r, uint64_t step,
    const char *program_id, const char *aux, const char *options)
{
	char head[128];
	int n = snprintf(head, sizeof(head), "%d: %llu+%llu %llu ", (int)id,
	    (unsigned long long)r->start, (unsigned long long)r->len,
	    (unsigned long long)step);

	return (size_t)n + strlen(program_id) + 1 + strlen(aux) +
	    (*options ? 1 + strlen(options) : 0) + 1;
}

/* "DMS_GROUP=<alias>:0#-" with the alias padded to make aux len chars. */
static char *
aux_of_length(size_t len, char pad)
{
	const char *head = "DMS_GROUP=", *tail = ":0#-";
	char *aux = malloc(len + 1);

	assert_non_null(aux);
	assert_true(len > strlen(head) + strlen(tail));
	memset(aux, pad, len);
	memcpy(aux, head, strlen(head));
	memcpy(aux + len - strlen(tail), tail, strlen(tail));
	aux[len] = '\0';
	return aux;
}

/* Rows of exactly 4095 characters with their newline fit; 4096 do not. */
static void
test_row_fits_at_the_boundary(void **state)
{
	const struct range r = { 32770, 16384 };
	const char *options[] = { "", "precise_timestamps",
	    "histogram:1,10,100", "precise_timestamps histogram:5,50" };
	size_t i, fixed, len;
	char *aux;

	(void)state;
	for (i = 0; i < sizeof(options) / sizeof(*options); i++) {
		/* "0: 32770+16384 16384 dmstats " + aux + options + "\n" */
		fixed = kernel_row_length(0, &r, 16384, "dmstats", "",
		    options[i]);
		len = STATS_LIST_ROW_MAX - fixed;
		aux = aux_of_length(len, 'a');
		assert_int_equal(kernel_row_length(0, &r, 16384, "dmstats",
		    aux, options[i]), 4095);
		assert_int_equal(descriptor_row_fits(0, &r, 16384, "dmstats",
		    aux, options[i]), 1);
		free(aux);
		aux = aux_of_length(len + 1, 'a');
		assert_int_equal(descriptor_row_fits(0, &r, 16384, "dmstats",
		    aux, options[i]), 0);
		free(aux);
	}
	/* No options at all may be given as NULL. */
	fixed = kernel_row_length(0, &r, 16384, "dmstats", "", "");
	aux = aux_of_length(STATS_LIST_ROW_MAX - fixed, 'a');
	assert_int_equal(descriptor_row_fits(0, &r, 16384, "dmstats", aux,
	    NULL), 1);
	free(aux);
}

/* Every number's width counts: the same aux fits a smaller leader only. */
static void
test_row_counts_every_field(void **state)
{
	const struct range small = { 0, 8 }, big = { 2147483648ULL, 8 };
	size_t fixed = kernel_row_length(7, &small, 8, "dmstats", "", "");
	char *aux = aux_of_length(STATS_LIST_ROW_MAX - fixed, 'a');
	uint64_t id;
	size_t len;

	(void)state;
	assert_int_equal(descriptor_row_fits(7, &small, 8, "dmstats", aux,
	    ""), 1);
	assert_int_equal(descriptor_row_fits(10, &small, 8, "dmstats", aux,
	    ""), 0);
	assert_int_equal(descriptor_row_fits(7, &big, 8, "dmstats", aux,
	    ""), 0);
	assert_int_equal(descriptor_row_fits(7, &small, 16, "dmstats", aux,
	    ""), 0);
	assert_int_equal(descriptor_row_fits(7, &small, 8, "dmstats2", aux,
	    ""), 0);
	free(aux);
	/* Against the kernel's format, around the boundary, many widths. */
	for (id = 1; id < 100000000; id *= 7)
		for (len = 3980; len < 4110; len++) {
			aux = aux_of_length(len, 'z');
			assert_int_equal(descriptor_row_fits(id, &big, id + 1,
			    "dmstats", aux, "precise_timestamps"),
			    kernel_row_length(id, &big, id + 1, "dmstats",
			    aux, "precise_timestamps") <= 4095);
			free(aux);
		}
}

/*
 * The descriptor is counted as the kernel stores it: the backslashes
 * message_word() puts before blanks are gone once the kernel splits the
 * message.  A newline would split the row itself.
 */
static void
test_row_counts_unescaped_text(void **state)
{
	const struct range r = { 0, 8 };
	size_t fixed = kernel_row_length(0, &r, 8, "dmstats", "", "");
	char *aux = aux_of_length(STATS_LIST_ROW_MAX - fixed, ' ');

	(void)state;
	assert_int_equal(descriptor_row_fits(0, &r, 8, "dmstats", aux, ""), 1);
	aux[20] = '\n';
	assert_int_equal(descriptor_row_fits(0, &r, 8, "dmstats", aux, ""), 0);
	free(aux);
	assert_int_equal(descriptor_row_fits(0, &r, 8, "dm\nstats",
	    "DMS_GROUP=f:0#-", ""), 0);
	assert_int_equal(descriptor_row_fits(0, &r, 8, "dmstats",
	    "DMS_GROUP=f:0#-", "histogram:1\n"), 0);
}

/* A group with every other id: under a thousand members fill the row. */
static void
test_row_of_fragmented_group(void **state)
{
	const struct range r = { 32770, 16384 };
	uint64_t ids[2000];
	size_t i, n, fit = 0;
	char *aux;

	(void)state;
	for (i = 0; i < 2000; i++)
		ids[i] = 2 * i;
	for (n = 1; n <= 2000; n++) {
		aux = descriptor_format(ALIAS_BARE, "vm.img", ids, n, NULL);
		assert_non_null(aux);
		assert_int_equal(descriptor_row_fits(0, &r, 16384, "dmstats",
		    aux, ""), kernel_row_length(0, &r, 16384, "dmstats", aux,
		    "") <= 4095);
		if (descriptor_row_fits(0, &r, 16384, "dmstats", aux, ""))
			fit = n;
		free(aux);
	}
	/*
	 * "DMS_GROUP=vm.img:0,2,...,1838#-" is 4063 characters, and its row
	 * 29 + 4063 + 1 = 4093: 920 members fit, and no more.
	 */
	assert_int_equal(fit, 920);
	aux = descriptor_format(ALIAS_BARE, "vm.img", ids, fit + 1, NULL);
	assert_int_equal(descriptor_row_fits(0, &r, 16384, "dmstats", aux,
	    ""), 0);
	free(aux);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_fits_at_the_boundary),
		cmocka_unit_test(test_row_counts_every_field),
		cmocka_unit_test(test_row_counts_unescaped_text),
		cmocka_unit_test(test_row_of_fragmented_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
