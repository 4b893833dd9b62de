/* The command line as libdevmapper writes it, and every way it can be wrong. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

#define MAX_ARGS 16

/* Splits line at blanks ('' is an empty word) and parses it. */
static enum cli_result
parse_as(enum alias_form form, struct options *opt, struct fault *f,
    const char *line)
{
	static char copy[256];
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	char *word;

	strcpy(copy, line);
	for (word = strtok(copy, " "); word && argc < MAX_ARGS;
	    word = strtok(NULL, " "))
		argv[argc++] = strcmp(word, "''") == 0 ? (char *)"" : word;
	argv[argc] = NULL;
	return cli_parse(argc, argv, form, opt, f);
}

/* As on Debian 12, whose libdevmapper writes the alias bare. */
static enum cli_result
parse(struct options *opt, struct fault *f, const char *line)
{
	return parse_as(ALIAS_BARE, opt, f, line);
}

static void
test_as_dmstats_spawns(void **state)
{
	struct options opt;
	struct fault f;

	(void)state;
	assert_int_equal(parse(&opt, &f,
	    "dmfilemapd 3 0 /srv/vm.img inode 0 0"), CLI_RUN);
	assert_int_equal(opt.fd, 3);
	assert_int_equal(opt.group_id, 0);
	assert_string_equal(opt.path, "/srv/vm.img");
	assert_int_equal(opt.mode, FOLLOW_INODE);
	assert_int_equal(opt.foreground, 0);
	assert_int_equal(opt.verbose, 0);

	assert_int_equal(parse(&opt, &f, "dmfilemapd 7 42 /a/b path 1 3"),
	    CLI_RUN);
	assert_int_equal(opt.fd, 7);
	assert_int_equal(opt.group_id, 42);
	assert_int_equal(opt.mode, FOLLOW_PATH);
	assert_int_equal(opt.foreground, 1);
	assert_int_equal(opt.verbose, 3);
}

static void
test_optional_arguments_default_to_zero(void **state)
{
	struct options opt;
	struct fault f;

	(void)state;
	assert_int_equal(parse(&opt, &f, "dmfilemapd 3 5 /f inode"), CLI_RUN);
	assert_int_equal(opt.foreground, 0);
	assert_int_equal(opt.verbose, 0);
	assert_int_equal(parse(&opt, &f, "dmfilemapd 3 5 /f inode 1"), CLI_RUN);
	assert_int_equal(opt.foreground, 1);
	assert_int_equal(opt.verbose, 0);
}

static void
expect_bad(const char *line, enum cli_result result, const char *message)
{
	struct options opt;
	struct fault f = { "" };

	assert_int_equal(parse(&opt, &f, line), result);
	assert_string_equal(f.line, message);
}

static void
test_argument_count(void **state)
{
	(void)state;
	expect_bad("dmfilemapd", CLI_BAD_USAGE, "missing arguments");
	expect_bad("dmfilemapd 3 0 /f", CLI_BAD_USAGE, "missing arguments");
	expect_bad("dmfilemapd 3 0 /f inode 0 0 x", CLI_BAD_USAGE,
	    "too many arguments: 'x' is extra");
}

static void
test_bad_numbers(void **state)
{
	(void)state;
	expect_bad("dmfilemapd x 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD 'x' is not a number");
	expect_bad("dmfilemapd -1 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD '-1' is negative");
	expect_bad("dmfilemapd 3x 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD '3x' is not a number");
	expect_bad("dmfilemapd 99999999999 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD '99999999999' is out of range");
	expect_bad("dmfilemapd 3 g /f inode", CLI_BAD_ARGUMENT,
	    "GROUP_ID 'g' is not a number");
	expect_bad("dmfilemapd 3 -2 /f inode", CLI_BAD_ARGUMENT,
	    "GROUP_ID '-2' is negative");
	expect_bad("dmfilemapd 3 2147483648 /f inode", CLI_BAD_ARGUMENT,
	    "GROUP_ID '2147483648' is out of range");
	expect_bad("dmfilemapd 3 18446744073709551616 /f inode",
	    CLI_BAD_ARGUMENT, "GROUP_ID '18446744073709551616' is out of range");
	expect_bad("dmfilemapd '' 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD '' is empty");
}

static void
test_bad_path_and_mode(void **state)
{
	(void)state;
	expect_bad("dmfilemapd 3 0 '' inode", CLI_BAD_ARGUMENT,
	    "ABS_PATH '' is empty");
	expect_bad("dmfilemapd 3 0 srv/f inode", CLI_BAD_ARGUMENT,
	    "ABS_PATH 'srv/f' is not absolute");
	expect_bad("dmfilemapd 3 0 /f inodes", CLI_BAD_ARGUMENT,
	    "mode 'inodes' is neither 'inode' nor 'path'");
	expect_bad("dmfilemapd 3 0 /f Path", CLI_BAD_ARGUMENT,
	    "mode 'Path' is neither 'inode' nor 'path'");
}

static void
test_bad_flags(void **state)
{
	(void)state;
	expect_bad("dmfilemapd 3 0 /f inode 2", CLI_BAD_ARGUMENT,
	    "FOREGROUND '2' is out of range (0-1)");
	expect_bad("dmfilemapd 3 0 /f inode yes", CLI_BAD_ARGUMENT,
	    "FOREGROUND 'yes' is not a number");
	expect_bad("dmfilemapd 3 0 /f inode 0 4", CLI_BAD_ARGUMENT,
	    "VERBOSE '4' is out of range (0-3)");
	expect_bad("dmfilemapd 3 0 /f inode 0 -1", CLI_BAD_ARGUMENT,
	    "VERBOSE '-1' is negative");
}

static void
test_help_and_version_only_alone(void **state)
{
	struct options opt;
	struct fault f;

	(void)state;
	assert_int_equal(parse(&opt, &f, "dmfilemapd --help"), CLI_HELP);
	assert_int_equal(parse(&opt, &f, "dmfilemapd --version"), CLI_VERSION);
	/* As a positional argument it is just a bad FD. */
	expect_bad("dmfilemapd --help 0 /f inode", CLI_BAD_ARGUMENT,
	    "FD '--help' is not a number");
}

/* What stat() might say of ABS_PATH, and fstat() of FD: device, inode, kind. */
static struct stat
stat_of(dev_t dev, ino_t ino, mode_t kind)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = dev;
	st.st_ino = ino;
	st.st_mode = kind | 0644;
	return st;
}

static void
expect_path_refused(const char *path, int stat_errno, const struct stat *at,
    const char *message)
{
	struct options opt = { .fd = 3, .path = path };
	struct stat file = stat_of(0xfe00, 12, S_IFREG);
	struct fault f = { "" };

	assert_int_equal(cli_check_path(&opt, stat_errno, at, &file, &f), -1);
	assert_string_equal(f.line, message);
}

static void
test_path_names_the_fd_file(void **state)
{
	struct options opt = { .fd = 3, .path = "/mnt/f" };
	struct stat file = stat_of(0xfe00, 12, S_IFREG);
	struct stat same = stat_of(0xfe00, 12, S_IFREG);
	struct fault f = { "" };

	(void)state;
	assert_int_equal(cli_check_path(&opt, 0, &same, &file, &f), 0);
	assert_string_equal(f.line, "");
}

static void
test_path_refused(void **state)
{
	struct stat none = stat_of(0, 0, 0);
	struct stat other_file = stat_of(0xfe00, 13, S_IFREG);
	struct stat other_device = stat_of(0xfe01, 12, S_IFREG);
	struct stat dir = stat_of(0xfe00, 2, S_IFDIR);
	struct stat null = stat_of(5, 4, S_IFCHR);

	(void)state;
	expect_path_refused("/mnt/none", ENOENT, &none,
	    "ABS_PATH '/mnt/none' does not exist");
	expect_path_refused("/mnt/f/x", ENOTDIR, &none,
	    "ABS_PATH '/mnt/f/x' cannot be looked up: Not a directory");
	expect_path_refused("/mnt/g", 0, &other_file,
	    "ABS_PATH '/mnt/g' names another file than FD 3");
	/* The same inode number on another device is another file. */
	expect_path_refused("/mnt2/f", 0, &other_device,
	    "ABS_PATH '/mnt2/f' names another file than FD 3");
	expect_path_refused("/mnt", 0, &dir,
	    "ABS_PATH '/mnt' is a directory, not the file open as FD 3");
	expect_path_refused("/dev/null", 0, &null,
	    "ABS_PATH '/dev/null' is a device node, not the file open as FD 3");
}

/* The creation form: FILE and every option, in any order before FILE. */
static void
test_creation_form(void **state)
{
	char *argv[] = { "dmfilemapd", "--create", "--alias", "my_file.2",
	    "--bounds", "7,500us,2ms,1s", "--precise", "--follow", "path",
	    "--foreground", "--verbose", "2", "--", "-odd name", NULL };
	struct options opt;
	struct fault f;

	(void)state;
	assert_int_equal(parse(&opt, &f, "dmfilemapd --create f"), CLI_RUN);
	assert_true(opt.create);
	assert_string_equal(opt.file, "f");
	assert_null(opt.path);
	assert_null(opt.alias);
	assert_int_equal(opt.fd, -1);
	assert_int_equal(opt.mode, FOLLOW_INODE);
	assert_int_equal(opt.foreground, 0);
	assert_int_equal(opt.precise, 0);
	assert_int_equal(opt.n_bounds, 0);
	assert_false(opt.delete_on_stop);
	assert_int_equal(parse(&opt, &f, "dmfilemapd --create --delete-on-stop "
	    "f"), CLI_RUN);
	assert_true(opt.delete_on_stop);

	assert_int_equal(cli_parse(14, argv, ALIAS_BARE, &opt, &f), CLI_RUN);
	assert_string_equal(opt.file, "-odd name");
	assert_string_equal(opt.alias, "my_file.2");
	assert_int_equal(opt.n_bounds, 4);
	assert_int_equal(opt.bounds[0], 7);
	assert_int_equal(opt.bounds[1], 500000);
	assert_int_equal(opt.bounds[2], 2000000);
	assert_int_equal(opt.bounds[3], 1000000000);
	assert_true(opt.precise);
	assert_int_equal(opt.mode, FOLLOW_PATH);
	assert_true(opt.foreground);
	assert_int_equal(opt.verbose, 2);
}

static void
test_creation_refused(void **state)
{
	static const struct {
		const char *line;
		enum cli_result result;
		const char *err;
	} cases[] = {
		{ "dmfilemapd --create", CLI_BAD_USAGE, "missing FILE" },
		{ "dmfilemapd --create --precise", CLI_BAD_USAGE, "missing FILE" },
		{ "dmfilemapd --create a b", CLI_BAD_USAGE,
		  "too many arguments: 'b' is extra" },
		{ "dmfilemapd --create --nomonitor f", CLI_BAD_USAGE,
		  "unknown option '--nomonitor'" },
		{ "dmfilemapd --create f --alias", CLI_BAD_USAGE,
		  "too many arguments: '--alias' is extra" },
		{ "dmfilemapd --create --alias", CLI_BAD_USAGE,
		  "--alias needs a value" },
		{ "dmfilemapd --create --alias a:b f", CLI_BAD_ARGUMENT,
		  "--alias 'a:b' holds ':' or '#', which end an alias in the "
		  "group descriptor" },
		{ "dmfilemapd --create --alias '' f", CLI_BAD_ARGUMENT,
		  "--alias '' is empty" },
		{ "dmfilemapd --create --bounds 10ms,1ms f", CLI_BAD_ARGUMENT,
		  "--bounds '10ms,1ms' does not ascend from above 0" },
		{ "dmfilemapd --create --bounds 0,1ms f", CLI_BAD_ARGUMENT,
		  "--bounds '0,1ms' does not ascend from above 0" },
		{ "dmfilemapd --create --bounds 1ms,,2ms f", CLI_BAD_ARGUMENT,
		  "--bounds '1ms,,2ms' is not a list of latencies like "
		  "1ms,10ms,100ms" },
		{ "dmfilemapd --create --bounds 1h f", CLI_BAD_ARGUMENT,
		  "--bounds '1h' is not a list of latencies like 1ms,10ms,100ms" },
		{ "dmfilemapd --create --bounds 99999999999999999999s f",
		  CLI_BAD_ARGUMENT, "--bounds '99999999999999999999s' is not a "
		  "list of latencies like 1ms,10ms,100ms" },
		{ "dmfilemapd --create --follow both f", CLI_BAD_ARGUMENT,
		  "--follow 'both' is neither 'inode' nor 'path'" },
		{ "dmfilemapd --create --verbose 4 f", CLI_BAD_ARGUMENT,
		  "--verbose '4' is out of range (0-3)" },
	};
	char *spaced[] = { "dmfilemapd", "--create", "--alias", "my file", "f",
	    NULL };
	char *tabbed[] = { "dmfilemapd", "--create", "--alias", "my\tfile", "f",
	    NULL };
	char *escaped[] = { "dmfilemapd", "--create", "--alias", "my\\file", "f",
	    NULL };
	struct options opt;
	struct fault f;
	size_t i;

	(void)state;
	assert_int_equal(cli_parse(5, spaced, ALIAS_BARE, &opt, &f),
	    CLI_BAD_ARGUMENT);
	assert_string_equal(f.line, "--alias 'my file' holds a blank, which "
	    "this libdevmapper's dmstats cannot read back (a space) or "
	    "rewrite (a tab)");
	assert_int_equal(cli_parse(5, tabbed, ALIAS_BARE, &opt, &f),
	    CLI_BAD_ARGUMENT);
	assert_int_equal(cli_parse(5, escaped, ALIAS_BARE, &opt, &f),
	    CLI_BAD_ARGUMENT);
	assert_string_equal(f.line, "--alias 'my\\file' holds a backslash, "
	    "which this libdevmapper's dmstats cannot rewrite");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.line[0] = '\0';
		assert_int_equal(parse(&opt, &f, cases[i].line),
		    cases[i].result);
		assert_string_equal(f.line, cases[i].err);
	}
}

/*
 * From 1.02.197 libdevmapper quotes the alias and escapes blanks and
 * backslashes in its messages: what it reads back is taken there; what
 * ends an alias in either form never is.
 */
static void
test_aliases_by_library_form(void **state)
{
	static const char *const quoted_only[] = {
		"my file", "my\tfile", "my\\file", "a\"b", "\"x\"",
	};
	static const struct {
		const char *alias;
		const char *why;
	} never[] = {
		{ "a:b", "holds ':' or '#', which end an alias in the group "
		  "descriptor" },
		{ "a#b", "holds ':' or '#', which end an alias in the group "
		  "descriptor" },
		{ "a\nb", "holds a control character" },
		{ "a\x7f", "holds a control character" },
		{ "", "is empty" },
	};
	char *argv[] = { "dmfilemapd", "--create", "--alias", NULL, "f", NULL };
	struct fault f;
	char want[200];
	struct options opt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(quoted_only) / sizeof(quoted_only[0]); i++) {
		argv[3] = (char *)quoted_only[i];
		assert_int_equal(cli_parse(5, argv, ALIAS_QUOTED, &opt, &f),
		    CLI_RUN);
		assert_string_equal(opt.alias, quoted_only[i]);
		assert_int_equal(cli_parse(5, argv, ALIAS_BARE, &opt, &f),
		    CLI_BAD_ARGUMENT);
	}
	assert_string_equal(f.line, "--alias '\"x\"' holds a double quote, "
	    "which newer libdevmapper releases take for the alias's own");
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		argv[3] = (char *)never[i].alias;
		snprintf(want, sizeof(want), "--alias '%s' %s", never[i].alias,
		    never[i].why);
		assert_int_equal(cli_parse(5, argv, ALIAS_QUOTED, &opt, &f),
		    CLI_BAD_ARGUMENT);
		assert_string_equal(f.line, want);
		assert_int_equal(cli_parse(5, argv, ALIAS_BARE, &opt, &f),
		    CLI_BAD_ARGUMENT);
		assert_string_equal(f.line, want);
	}
}

/* The form that follows a group made before: its id, options, FILE. */
static void
test_groupid_form(void **state)
{
	struct options opt;
	struct fault f;

	(void)state;
	assert_int_equal(parse(&opt, &f, "dmfilemapd --groupid 7 /srv/f"),
	    CLI_RUN);
	assert_true(opt.adopt);
	assert_false(opt.create);
	assert_int_equal(opt.group_id, 7);
	assert_string_equal(opt.file, "/srv/f");
	assert_int_equal(opt.fd, -1);
	assert_null(opt.path);
	assert_int_equal(opt.mode, FOLLOW_INODE);
	assert_int_equal(opt.foreground, 0);
	assert_false(opt.delete_on_stop);
	assert_int_equal(parse(&opt, &f, "dmfilemapd --groupid 2147483647 "
	    "--follow path --foreground --delete-on-stop --verbose 3 -- -f"),
	    CLI_RUN);
	assert_true(opt.delete_on_stop);
	assert_int_equal(opt.group_id, 2147483647);
	assert_int_equal(opt.mode, FOLLOW_PATH);
	assert_true(opt.foreground);
	assert_int_equal(opt.verbose, 3);
	assert_string_equal(opt.file, "-f");
}

static void
test_groupid_refused(void **state)
{
	static const struct {
		const char *line;
		enum cli_result result;
		const char *err;
	} cases[] = {
		{ "dmfilemapd --groupid", CLI_BAD_USAGE,
		  "--groupid needs a value" },
		{ "dmfilemapd --groupid 3", CLI_BAD_USAGE, "missing FILE" },
		{ "dmfilemapd --groupid x f", CLI_BAD_ARGUMENT,
		  "--groupid 'x' is not a number" },
		{ "dmfilemapd --groupid -1 f", CLI_BAD_ARGUMENT,
		  "--groupid '-1' is negative" },
		{ "dmfilemapd --groupid 2147483648 f", CLI_BAD_ARGUMENT,
		  "--groupid '2147483648' is out of range" },
		{ "dmfilemapd --groupid 3 --alias a f", CLI_BAD_USAGE,
		  "unknown option '--alias' (with --groupid)" },
		{ "dmfilemapd --groupid 3 --precise f", CLI_BAD_USAGE,
		  "unknown option '--precise' (with --groupid)" },
		{ "dmfilemapd --groupid 3 --bounds 1ms f", CLI_BAD_USAGE,
		  "unknown option '--bounds' (with --groupid)" },
		{ "dmfilemapd --groupid 3 --follow x f", CLI_BAD_ARGUMENT,
		  "--follow 'x' is neither 'inode' nor 'path'" },
		{ "dmfilemapd --groupid 3 f g", CLI_BAD_USAGE,
		  "too many arguments: 'g' is extra" },
		{ "dmfilemapd --groupid 3 ''", CLI_BAD_ARGUMENT,
		  "FILE '' is empty" },
	};
	struct options opt;
	struct fault f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.line[0] = '\0';
		assert_int_equal(parse(&opt, &f, cases[i].line),
		    cases[i].result);
		assert_string_equal(f.line, cases[i].err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_dmstats_spawns),
		cmocka_unit_test(test_aliases_by_library_form),
		cmocka_unit_test(test_groupid_form),
		cmocka_unit_test(test_groupid_refused),
		cmocka_unit_test(test_optional_arguments_default_to_zero),
		cmocka_unit_test(test_argument_count),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_path_and_mode),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_help_and_version_only_alone),
		cmocka_unit_test(test_path_names_the_fd_file),
		cmocka_unit_test(test_path_refused),
		cmocka_unit_test(test_creation_form),
		cmocka_unit_test(test_creation_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
