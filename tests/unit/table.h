/*
 * Table-driven cases: each row of a table runs as a cmocka test of its
 * own, named "TABLE/ROW", so that a failure names the row it failed on and
 * `tests/check unit/test_cli/refused/` runs one table.  A row is a struct
 * whose first member is its name (const char *); its test finds it in
 * *state (a setup, when the table has one, reads it from there first).
 * Include after <cmocka.h>.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdio.h>
#include <stdlib.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct table {
	const char *name;
	const void *rows;
	size_t n_rows, row_size;
	CMUnitTestFunction run;		/* gets the row as *state */
	CMFixtureFunction setup, teardown;
};

#define TABLE(name, rows, run) \
	{ (name), (rows), COUNT(rows), sizeof((rows)[0]), (run), NULL, NULL }
#define TABLE_FIXED(name, rows, run, setup, teardown) \
	{ (name), (rows), COUNT(rows), sizeof((rows)[0]), (run), (setup), \
	  (teardown) }

/* The name of the row a test was given. */
static inline const char *
row_name(const void *row)
{
	return *(const char *const *)row;
}

/* A row's text that may be NULL: both NULL, or the same text. */
static inline void
expect_text(const char *got, const char *want)
{
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

/*
 * Runs the tests of fixed and then one test per row of each table, as one
 * group; returns the number that failed, as cmocka_run_group_tests does.
 */
static inline int
run_with_tables(const struct CMUnitTest *fixed, size_t n_fixed,
    const struct table *tables, size_t n_tables)
{
	struct CMUnitTest *tests;
	char **names;
	const char *row;
	size_t i, r, n = n_fixed;
	int failed;

	for (i = 0; i < n_tables; i++)
		n += tables[i].n_rows;
	tests = calloc(n, sizeof(*tests));
	names = calloc(n, sizeof(*names));
	if (tests == NULL || names == NULL)
		return -1;
	for (n = 0; n < n_fixed; n++)
		tests[n] = fixed[n];
	for (i = 0; i < n_tables; i++)
		for (r = 0; r < tables[i].n_rows; r++, n++) {
			row = (const char *)tables[i].rows +
			    r * tables[i].row_size;
			if (asprintf(&names[n], "%s/%s", tables[i].name,
			    row_name(row)) < 0)
				return -1;
			tests[n] = (struct CMUnitTest){ names[n], tables[i].run,
			    tables[i].setup, tables[i].teardown, (void *)row };
		}
	failed = _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return failed;
}

#endif
