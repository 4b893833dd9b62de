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
#include "table.h"

#define MAX_ARGS 16
#define ARGV(...) (const char *const[]){ __VA_ARGS__, NULL }
#define ALIAS_ARGV(alias) ARGV("dmfilemapd", "--create", "--alias", alias, "f")
/* As --create leaves what no option sets. */
#define CREATED .fd = -1, .create = 1
/* makedev(3) as a constant: the major's 12 bits above the minor's low 8. */
#define DEV(major, minor) ((dev_t)(major) << 8 | ((dev_t)(minor) & 0xff) | \
	((dev_t)(minor) & ~(dev_t)0xff) << 12)

/*
 * A command line and what it is taken for.  Form is the installed
 * libdevmapper's: ALIAS_BARE (0) as on Debian 12.
 */
struct cli_case {
	const char *name;
	const char *line;		/* split at blanks; '' is an empty word */
	const char *const *argv;	/* the words, where one holds a blank */
	enum alias_form form;
	enum cli_result result;
	const char *message;		/* the refusal */
	struct options want;		/* CLI_RUN: every field */
};

static const struct cli_case runs[] = {
	{ "as_dmstats_spawns", "dmfilemapd 3 0 /srv/vm.img inode 0 0",
	  .want = { .fd = 3, .path = "/srv/vm.img" } },
	{ "as_dmstats_spawns_path", "dmfilemapd 7 42 /a/b path 1 3",
	  .want = { .fd = 7, .group_id = 42, .path = "/a/b",
	  .mode = FOLLOW_PATH, .foreground = 1, .verbose = 3 } },
	/* The optional arguments default to zero. */
	{ "no_foreground_nor_verbose", "dmfilemapd 3 5 /f inode",
	  .want = { .fd = 3, .group_id = 5, .path = "/f" } },
	{ "no_verbose", "dmfilemapd 3 5 /f inode 1",
	  .want = { .fd = 3, .group_id = 5, .path = "/f", .foreground = 1 } },
	/* Only alone: as a positional argument it is a bad FD (refused). */
	{ "help", "dmfilemapd --help", .result = CLI_HELP },
	{ "version", "dmfilemapd --version", .result = CLI_VERSION },
	/* The creation form: FILE and every option, in any order before FILE. */
	{ "create", "dmfilemapd --create f", .want = { CREATED, .file = "f" } },
	{ "create_delete_on_stop", "dmfilemapd --create --delete-on-stop f",
	  .want = { CREATED, .file = "f", .delete_on_stop = 1 } },
	{ "create_every_option", .argv = ARGV("dmfilemapd", "--create",
	  "--alias", "my_file.2", "--bounds", "7,500us,2ms,1s", "--precise",
	  "--follow", "path", "--foreground", "--verbose", "2", "--",
	  "-odd name"),
	  .want = { CREATED, .file = "-odd name", .alias = "my_file.2",
	  .n_bounds = 4, .bounds = { 7, 500000, 2000000, 1000000000 },
	  .precise = 1, .mode = FOLLOW_PATH, .foreground = 1,
	  .verbose = 2 } },
	/* The form that follows a group made before: its id, options, FILE. */
	{ "groupid", "dmfilemapd --groupid 7 /srv/f",
	  .want = { .fd = -1, .adopt = 1, .group_id = 7, .file = "/srv/f" } },
	{ "groupid_every_option", "dmfilemapd --groupid 2147483647 --follow "
	  "path --foreground --delete-on-stop --verbose 3 -- -f",
	  .want = { .fd = -1, .adopt = 1, .delete_on_stop = 1,
	  .group_id = 2147483647, .mode = FOLLOW_PATH, .foreground = 1,
	  .verbose = 3, .file = "-f" } },
	/* The device a group is on, where the file lies on several. */
	{ "groupid_device", "dmfilemapd --groupid 0 --device 253:12 /srv/f",
	  .want = { .fd = -1, .adopt = 1, .file = "/srv/f",
	  .device = DEV(253, 12) } },
	{ "create_device_widest", "dmfilemapd --create --device 4095:1048575 f",
	  .want = { CREATED, .file = "f", .device = DEV(4095, 1048575) } },
	/*
	 * From 1.02.197 libdevmapper quotes the alias and escapes blanks and
	 * backslashes in its messages: what it reads back is taken there
	 * (and refused where it writes the alias bare).
	 */
	{ "alias_space_quoted", .argv = ALIAS_ARGV("my file"),
	  .form = ALIAS_QUOTED, .want = { CREATED, .file = "f",
	  .alias = "my file" } },
	{ "alias_tab_quoted", .argv = ALIAS_ARGV("my\tfile"),
	  .form = ALIAS_QUOTED, .want = { CREATED, .file = "f",
	  .alias = "my\tfile" } },
	{ "alias_backslash_quoted", .argv = ALIAS_ARGV("my\\file"),
	  .form = ALIAS_QUOTED, .want = { CREATED, .file = "f",
	  .alias = "my\\file" } },
	{ "alias_inner_quote_quoted", .argv = ALIAS_ARGV("a\"b"),
	  .form = ALIAS_QUOTED, .want = { CREATED, .file = "f",
	  .alias = "a\"b" } },
	{ "alias_in_quotes_quoted", .argv = ALIAS_ARGV("\"x\""),
	  .form = ALIAS_QUOTED, .want = { CREATED, .file = "f",
	  .alias = "\"x\"" } },
};

#define BLANK "holds a blank, which this libdevmapper's dmstats cannot read " \
	"back (a space) or rewrite (a tab)"
#define ENDS_ALIAS "holds ':' or '#', which end an alias in the group " \
	"descriptor"
#define NOT_LATENCIES "is not a list of latencies like 1ms,10ms,100ms"

static const struct cli_case refusals[] = {
	{ "no_arguments", "dmfilemapd", .result = CLI_BAD_USAGE,
	  .message = "missing arguments" },
	{ "no_mode", "dmfilemapd 3 0 /f", .result = CLI_BAD_USAGE,
	  .message = "missing arguments" },
	{ "extra_argument", "dmfilemapd 3 0 /f inode 0 0 x",
	  .result = CLI_BAD_USAGE,
	  .message = "too many arguments: 'x' is extra" },
	{ "fd_not_a_number", "dmfilemapd x 0 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "FD 'x' is not a number" },
	{ "fd_negative", "dmfilemapd -1 0 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "FD '-1' is negative" },
	{ "fd_trailing_letter", "dmfilemapd 3x 0 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "FD '3x' is not a number" },
	{ "fd_out_of_range", "dmfilemapd 99999999999 0 /f inode",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "FD '99999999999' is out of range" },
	{ "fd_empty", "dmfilemapd '' 0 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "FD '' is empty" },
	{ "help_as_fd", "dmfilemapd --help 0 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "FD '--help' is not a number" },
	{ "group_id_not_a_number", "dmfilemapd 3 g /f inode",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "GROUP_ID 'g' is not a number" },
	{ "group_id_negative", "dmfilemapd 3 -2 /f inode",
	  .result = CLI_BAD_ARGUMENT, .message = "GROUP_ID '-2' is negative" },
	{ "group_id_past_int", "dmfilemapd 3 2147483648 /f inode",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "GROUP_ID '2147483648' is out of range" },
	{ "group_id_past_64_bits", "dmfilemapd 3 18446744073709551616 /f inode",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "GROUP_ID '18446744073709551616' is out of range" },
	{ "path_empty", "dmfilemapd 3 0 '' inode", .result = CLI_BAD_ARGUMENT,
	  .message = "ABS_PATH '' is empty" },
	{ "path_relative", "dmfilemapd 3 0 srv/f inode",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "ABS_PATH 'srv/f' is not absolute" },
	{ "mode_misspelt", "dmfilemapd 3 0 /f inodes",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "mode 'inodes' is neither 'inode' nor 'path'" },
	{ "mode_capitalised", "dmfilemapd 3 0 /f Path",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "mode 'Path' is neither 'inode' nor 'path'" },
	{ "foreground_out_of_range", "dmfilemapd 3 0 /f inode 2",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "FOREGROUND '2' is out of range (0-1)" },
	{ "foreground_not_a_number", "dmfilemapd 3 0 /f inode yes",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "FOREGROUND 'yes' is not a number" },
	{ "verbose_out_of_range", "dmfilemapd 3 0 /f inode 0 4",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "VERBOSE '4' is out of range (0-3)" },
	{ "verbose_negative", "dmfilemapd 3 0 /f inode 0 -1",
	  .result = CLI_BAD_ARGUMENT, .message = "VERBOSE '-1' is negative" },
	{ "create_no_file", "dmfilemapd --create", .result = CLI_BAD_USAGE,
	  .message = "missing FILE" },
	{ "create_option_but_no_file", "dmfilemapd --create --precise",
	  .result = CLI_BAD_USAGE, .message = "missing FILE" },
	{ "create_two_files", "dmfilemapd --create a b",
	  .result = CLI_BAD_USAGE,
	  .message = "too many arguments: 'b' is extra" },
	{ "create_unknown_option", "dmfilemapd --create --nomonitor f",
	  .result = CLI_BAD_USAGE, .message = "unknown option '--nomonitor'" },
	{ "create_option_after_file", "dmfilemapd --create f --alias",
	  .result = CLI_BAD_USAGE,
	  .message = "too many arguments: '--alias' is extra" },
	{ "create_alias_no_value", "dmfilemapd --create --alias",
	  .result = CLI_BAD_USAGE, .message = "--alias needs a value" },
	{ "create_bounds_descending", "dmfilemapd --create --bounds 10ms,1ms f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--bounds '10ms,1ms' does not ascend from above 0" },
	{ "create_bounds_from_zero", "dmfilemapd --create --bounds 0,1ms f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--bounds '0,1ms' does not ascend from above 0" },
	{ "create_bounds_empty_item", "dmfilemapd --create --bounds 1ms,,2ms f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--bounds '1ms,,2ms' " NOT_LATENCIES },
	{ "create_bounds_in_hours", "dmfilemapd --create --bounds 1h f",
	  .result = CLI_BAD_ARGUMENT, .message = "--bounds '1h' " NOT_LATENCIES },
	{ "create_bounds_overflow",
	  "dmfilemapd --create --bounds 99999999999999999999s f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--bounds '99999999999999999999s' " NOT_LATENCIES },
	{ "create_follow_unknown", "dmfilemapd --create --follow both f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--follow 'both' is neither 'inode' nor 'path'" },
	{ "create_verbose_out_of_range", "dmfilemapd --create --verbose 4 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--verbose '4' is out of range (0-3)" },
	/* What this libdevmapper cannot read back or rewrite bare. */
	{ "alias_space_bare", .argv = ALIAS_ARGV("my file"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'my file' " BLANK },
	{ "alias_tab_bare", .argv = ALIAS_ARGV("my\tfile"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'my\tfile' " BLANK },
	{ "alias_backslash_bare", .argv = ALIAS_ARGV("my\\file"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'my\\file' holds a "
	  "backslash, which this libdevmapper's dmstats cannot rewrite" },
	{ "alias_inner_quote_bare", .argv = ALIAS_ARGV("a\"b"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'a\"b' holds a "
	  "double quote, which newer libdevmapper releases take for the "
	  "alias's own" },
	{ "alias_in_quotes_bare", .argv = ALIAS_ARGV("\"x\""),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias '\"x\"' holds a "
	  "double quote, which newer libdevmapper releases take for the "
	  "alias's own" },
	/* What ends an alias in either form never is one. */
	{ "alias_colon_bare", .argv = ALIAS_ARGV("a:b"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'a:b' " ENDS_ALIAS },
	{ "alias_colon_quoted", .argv = ALIAS_ARGV("a:b"), .form = ALIAS_QUOTED,
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'a:b' " ENDS_ALIAS },
	{ "alias_hash_bare", .argv = ALIAS_ARGV("a#b"),
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'a#b' " ENDS_ALIAS },
	{ "alias_hash_quoted", .argv = ALIAS_ARGV("a#b"), .form = ALIAS_QUOTED,
	  .result = CLI_BAD_ARGUMENT, .message = "--alias 'a#b' " ENDS_ALIAS },
	{ "alias_newline_bare", .argv = ALIAS_ARGV("a\nb"),
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--alias 'a\nb' holds a control character" },
	{ "alias_newline_quoted", .argv = ALIAS_ARGV("a\nb"),
	  .form = ALIAS_QUOTED, .result = CLI_BAD_ARGUMENT,
	  .message = "--alias 'a\nb' holds a control character" },
	{ "alias_delete_bare", .argv = ALIAS_ARGV("a\x7f"),
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--alias 'a\x7f' holds a control character" },
	{ "alias_delete_quoted", .argv = ALIAS_ARGV("a\x7f"),
	  .form = ALIAS_QUOTED, .result = CLI_BAD_ARGUMENT,
	  .message = "--alias 'a\x7f' holds a control character" },
	{ "alias_empty_bare", "dmfilemapd --create --alias '' f",
	  .result = CLI_BAD_ARGUMENT, .message = "--alias '' is empty" },
	{ "alias_empty_quoted", "dmfilemapd --create --alias '' f",
	  .form = ALIAS_QUOTED, .result = CLI_BAD_ARGUMENT,
	  .message = "--alias '' is empty" },
	{ "groupid_no_value", "dmfilemapd --groupid", .result = CLI_BAD_USAGE,
	  .message = "--groupid needs a value" },
	{ "groupid_no_file", "dmfilemapd --groupid 3", .result = CLI_BAD_USAGE,
	  .message = "missing FILE" },
	{ "groupid_not_a_number", "dmfilemapd --groupid x f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--groupid 'x' is not a number" },
	{ "groupid_negative", "dmfilemapd --groupid -1 f",
	  .result = CLI_BAD_ARGUMENT, .message = "--groupid '-1' is negative" },
	{ "groupid_past_int", "dmfilemapd --groupid 2147483648 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--groupid '2147483648' is out of range" },
	{ "groupid_alias", "dmfilemapd --groupid 3 --alias a f",
	  .result = CLI_BAD_USAGE,
	  .message = "unknown option '--alias' (with --groupid)" },
	{ "groupid_precise", "dmfilemapd --groupid 3 --precise f",
	  .result = CLI_BAD_USAGE,
	  .message = "unknown option '--precise' (with --groupid)" },
	{ "groupid_bounds", "dmfilemapd --groupid 3 --bounds 1ms f",
	  .result = CLI_BAD_USAGE,
	  .message = "unknown option '--bounds' (with --groupid)" },
	{ "groupid_follow_unknown", "dmfilemapd --groupid 3 --follow x f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--follow 'x' is neither 'inode' nor 'path'" },
	{ "groupid_two_files", "dmfilemapd --groupid 3 f g",
	  .result = CLI_BAD_USAGE,
	  .message = "too many arguments: 'g' is extra" },
	{ "groupid_file_empty", "dmfilemapd --groupid 3 ''",
	  .result = CLI_BAD_ARGUMENT, .message = "FILE '' is empty" },
	{ "device_no_value", "dmfilemapd --groupid 3 --device",
	  .result = CLI_BAD_USAGE, .message = "--device needs a value" },
	{ "device_no_minor", "dmfilemapd --groupid 3 --device 253 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--device '253' is not MAJOR:MINOR" },
	{ "device_no_major", "dmfilemapd --groupid 3 --device :2 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--device ':2' is not MAJOR:MINOR" },
	{ "device_a_path", "dmfilemapd --create --device /dev/dm-1 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--device '/dev/dm-1' is not MAJOR:MINOR" },
	{ "device_minor_too_wide", "dmfilemapd --groupid 3 --device 253:1048576 f",
	  .result = CLI_BAD_ARGUMENT, .message = "--device '253:1048576' is "
	  "not MAJOR:MINOR of a block device" },
	{ "device_major_too_wide", "dmfilemapd --groupid 3 --device 4096:0 f",
	  .result = CLI_BAD_ARGUMENT, .message = "--device '4096:0' is "
	  "not MAJOR:MINOR of a block device" },
	{ "device_letters", "dmfilemapd --groupid 3 --device a:b f",
	  .result = CLI_BAD_ARGUMENT, .message = "--device 'a:b' is "
	  "not MAJOR:MINOR of a block device" },
	{ "device_anonymous", "dmfilemapd --groupid 3 --device 0:52 f",
	  .result = CLI_BAD_ARGUMENT,
	  .message = "--device '0:52' names no block device (major 0)" },
};

/* What stat() says of ABS_PATH, with FD open on inode 12 of device 0xfe00. */
struct path_case {
	const char *name;
	const char *path;
	int stat_errno;
	dev_t dev;
	ino_t ino;
	mode_t kind;
	const char *message;	/* the refusal; NULL: taken */
};

static const struct path_case paths[] = {
	{ "names_the_fd_file", "/mnt/f", 0, 0xfe00, 12, S_IFREG, NULL },
	{ "missing", "/mnt/none", ENOENT, 0, 0, 0,
	  "ABS_PATH '/mnt/none' does not exist" },
	{ "under_a_file", "/mnt/f/x", ENOTDIR, 0, 0, 0,
	  "ABS_PATH '/mnt/f/x' cannot be looked up: Not a directory" },
	{ "another_file", "/mnt/g", 0, 0xfe00, 13, S_IFREG,
	  "ABS_PATH '/mnt/g' names another file than FD 3" },
	/* The same inode number on another device is another file. */
	{ "another_device", "/mnt2/f", 0, 0xfe01, 12, S_IFREG,
	  "ABS_PATH '/mnt2/f' names another file than FD 3" },
	{ "directory", "/mnt", 0, 0xfe00, 2, S_IFDIR,
	  "ABS_PATH '/mnt' is a directory, not the file open as FD 3" },
	{ "device_node", "/dev/null", 0, 5, 4, S_IFCHR,
	  "ABS_PATH '/dev/null' is a device node, not the file open as FD 3" },
};

/* The words of a case's command line, in argv; returns their count. */
static int
words(const struct cli_case *c, char *argv[MAX_ARGS + 1])
{
	static char copy[256];
	char *word;
	int argc = 0;

	if (c->argv != NULL) {
		for (; c->argv[argc] != NULL; argc++)
			argv[argc] = (char *)c->argv[argc];
	} else {
		assert_true(strlen(c->line) < sizeof(copy));
		strcpy(copy, c->line);
		for (word = strtok(copy, " "); word && argc < MAX_ARGS;
		    word = strtok(NULL, " "))
			argv[argc++] = strcmp(word, "''") == 0 ? (char *)"" :
			    word;
	}
	argv[argc] = NULL;
	return argc;
}

static void
expect_options(const struct options *got, const struct options *want)
{
	size_t i;

	assert_int_equal(got->fd, want->fd);
	assert_int_equal(got->group_id, want->group_id);
	expect_text(got->path, want->path);
	assert_int_equal(got->mode, want->mode);
	assert_int_equal(got->foreground, want->foreground);
	assert_int_equal(got->verbose, want->verbose);
	assert_int_equal(got->create, want->create);
	assert_int_equal(got->adopt, want->adopt);
	assert_int_equal(got->delete_on_stop, want->delete_on_stop);
	assert_int_equal(got->device, want->device);
	expect_text(got->file, want->file);
	expect_text(got->alias, want->alias);
	assert_int_equal(got->precise, want->precise);
	assert_int_equal(got->n_bounds, want->n_bounds);
	for (i = 0; i < want->n_bounds; i++)
		assert_int_equal(got->bounds[i], want->bounds[i]);
}

/* Parses the line: a run sets every option, a refusal says why. */
static void
run_cli_case(void **state)
{
	const struct cli_case *c = *state;
	char *argv[MAX_ARGS + 1];
	struct options opt;
	struct fault f = { "" };
	int argc = words(c, argv);

	assert_int_equal(cli_parse(argc, argv, c->form, &opt, &f), c->result);
	if (c->result == CLI_RUN)
		expect_options(&opt, &c->want);
	assert_string_equal(f.line, c->message ? c->message : "");
}

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
run_path_case(void **state)
{
	const struct path_case *c = *state;
	struct options opt = { .fd = 3, .path = c->path };
	struct stat file = stat_of(0xfe00, 12, S_IFREG);
	struct stat at = stat_of(c->dev, c->ino, c->kind);
	struct fault f = { "" };

	assert_int_equal(cli_check_path(&opt, c->stat_errno, &at, &file, &f),
	    c->message ? -1 : 0);
	assert_string_equal(f.line, c->message ? c->message : "");
}

int
main(void)
{
	static const struct table tables[] = {
		TABLE("run", runs, run_cli_case),
		TABLE("refused", refusals, run_cli_case),
		TABLE("path", paths, run_path_case),
	};

	return run_with_tables(NULL, 0, tables, COUNT(tables));
}
