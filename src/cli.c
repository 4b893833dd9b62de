/*
 * Parsing of the positional arguments:
 *   dmfilemapd FD GROUP_ID ABS_PATH inode|path [FOREGROUND [VERBOSE]]
 * of the creation form:
 *   dmfilemapd --create [--alias NAME] [--precise] [--bounds LIST]
 *       [--device MAJOR:MINOR] [--follow inode|path] [--foreground]
 *       [--verbose N] [--delete-on-stop] FILE
 * of the form that follows a group made before:
 *   dmfilemapd --groupid ID [--device MAJOR:MINOR] [--follow inode|path]
 *       [--foreground] [--verbose N] [--delete-on-stop] FILE
 * and of the one setting taken from the environment, and judging what the
 * caller found at them.  Pure: nothing here looks at the file or the
 * device.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cli.h"
#include "decimal.h"
#include "descriptor.h"
#include "fault.h"

#define ARGS_MIN 5		/* program name and the four required ones */
#define ARGS_MAX 7

static const char usage[] =
    "usage: dmfilemapd FD GROUP_ID ABS_PATH inode|path [FOREGROUND [VERBOSE]]\n"
    "       dmfilemapd --create [--alias NAME] [--precise] [--bounds LIST]\n"
    "                  [--device MAJOR:MINOR] [--follow inode|path]\n"
    "                  [--foreground] [--verbose N] [--delete-on-stop] FILE\n"
    "       dmfilemapd --groupid ID [--device MAJOR:MINOR]\n"
    "                  [--follow inode|path] [--foreground] [--verbose N]\n"
    "                  [--delete-on-stop] FILE";

const char *
cli_usage(void)
{
	return usage;
}

const char *
follow_mode_name(enum follow_mode mode)
{
	return mode == FOLLOW_PATH ? "path" : "inode";
}

/*
 * Reads an unsigned decimal number no larger than max.  Signs, blanks and
 * other bases are refused: the caller is a program, not a person.
 * Returns NULL, or why the text is no such number.
 */
static const char *
parse_number(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;

	if (*s == '\0')
		return "is empty";
	if (s[0] == '-' && s[1] >= '0' && s[1] <= '9')
		return "is negative";
	if ((end = decimal_read(s, out)) == NULL)
		return *s >= '0' && *s <= '9' ? "is out of range" :
		    "is not a number";
	if (*end != '\0')
		return "is not a number";
	if (*out > max)
		return "is out of range";
	return NULL;
}

/* The refusal of one argument: its name, its value, why. */
static enum cli_result
bad(struct fault *f, const char *name, const char *value, const char *why)
{
	faultx(f, "%s '%s' %s", name, value, why);
	return CLI_BAD_ARGUMENT;
}

static enum cli_result
parse_flag(const char *name, const char *s, int max, int *out,
    struct fault *f)
{
	uint64_t value;
	const char *why;
	char range[48];

	if ((why = parse_number(s, (uint64_t)max, &value)) == NULL) {
		*out = (int)value;
		return CLI_RUN;
	}
	if (strcmp(why, "is out of range") == 0) {
		snprintf(range, sizeof(range), "is out of range (0-%d)", max);
		why = range;
	}
	return bad(f, name, s, why);
}

/* One latency with its unit, in nanoseconds; returns the text after it. */
static const char *
read_latency(const char *s, uint64_t *ns)
{
	static const struct { const char *suffix; uint64_t scale; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 },
	};
	const char *end = decimal_read(s, ns);
	size_t i, n;

	if (end == NULL)
		return NULL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i].suffix);
		if (strncmp(end, units[i].suffix, n) != 0)
			continue;
		if (*ns > UINT64_MAX / units[i].scale)
			return NULL;
		*ns *= units[i].scale;
		return end + n;
	}
	return end;
}

/*
 * Reads --bounds' comma-separated latencies, each in nanoseconds unless
 * it ends in ns, us, ms or s, into ns[], *n of them; they must ascend from
 * above 0.  Returns NULL, or why the text is no such list.
 */
static const char *
parse_bounds(const char *text, uint64_t *ns, size_t max, size_t *n)
{
	const char *s = text;
	size_t i = 0;

	for (;;) {
		if (i == max)
			return "has too many boundaries";
		if ((s = read_latency(s, &ns[i])) == NULL ||
		    (*s != ',' && *s != '\0'))
			return "is not a list of latencies like 1ms,10ms,100ms";
		if (ns[i] == 0 || (i > 0 && ns[i] <= ns[i - 1]))
			return "does not ascend from above 0";
		i++;
		if (*s++ == '\0') {
			*n = i;
			return NULL;
		}
	}
}

/* The value of an option that takes one: the next argument. */
static const char *
option_value(int argc, char *const argv[], int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/* The value of --follow. */
static enum cli_result
parse_mode(const char *value, struct options *opt, struct fault *f)
{
	if (strcmp(value, "inode") == 0)
		opt->mode = FOLLOW_INODE;
	else if (strcmp(value, "path") == 0)
		opt->mode = FOLLOW_PATH;
	else
		return bad(f, "--follow", value,
		    "is neither 'inode' nor 'path'");
	return CLI_RUN;
}

/*
 * The value of --device: a block device's numbers, as ls -l and dmsetup
 * info show them.  Major 0 is the kernel's anonymous devices' (a btrfs
 * file's own st_dev among them), never a block device's.
 */
static enum cli_result
parse_device(const char *value, struct options *opt, struct fault *f)
{
	const char *colon = strchr(value, ':'), *end;
	uint64_t major, minor;

	if (colon == NULL || colon == value)
		return bad(f, "--device", value, "is not MAJOR:MINOR");
	if ((end = decimal_read(value, &major)) != colon ||
	    major > DEVICE_MAJOR_MAX ||
	    parse_number(colon + 1, DEVICE_MINOR_MAX, &minor) != NULL)
		return bad(f, "--device", value, "is not MAJOR:MINOR of a "
		    "block device");
	if (major == 0)
		return bad(f, "--device", value, "names no block device "
		    "(major 0)");
	opt->device = makedev((unsigned int)major, (unsigned int)minor);
	return CLI_RUN;
}

/* An option that takes a value; those of a new group only with --create. */
static enum cli_result
parse_valued(const char *name, const char *value, enum alias_form form,
    struct options *opt, struct fault *f)
{
	const char *why;

	if (strcmp(name, "--follow") == 0)
		return parse_mode(value, opt, f);
	if (strcmp(name, "--verbose") == 0)
		return parse_flag("--verbose", value, 3, &opt->verbose, f);
	if (strcmp(name, "--device") == 0)
		return parse_device(value, opt, f);
	if (strcmp(name, "--alias") == 0) {
		if ((why = descriptor_alias_fault(form, value)) != NULL)
			return bad(f, "--alias", value, why);
		opt->alias = value;
		return CLI_RUN;
	}
	if ((why = parse_bounds(value, opt->bounds, BOUNDS_MAX,
	    &opt->n_bounds)) != NULL)
		return bad(f, "--bounds", value, why);
	return CLI_RUN;
}

/* The options of the forms naming FILE. */
static const struct {
	const char *name;
	bool valued;		/* takes the next argument */
	bool of_new_group;	/* describes the group: --create only */
} named_file_options[] = {
	{ "--follow", true, false }, { "--verbose", true, false },
	{ "--device", true, false },
	{ "--foreground", false, false }, { "--delete-on-stop", false, false },
	{ "--alias", true, true }, { "--bounds", true, true },
	{ "--precise", false, true },
};

/* Whether name is an option of this form, and whether it takes a value. */
static bool
known_option(const char *name, bool create, bool *valued)
{
	size_t i;

	for (i = 0; i < sizeof(named_file_options) /
	    sizeof(named_file_options[0]); i++)
		if (strcmp(name, named_file_options[i].name) == 0 &&
		    (create || !named_file_options[i].of_new_group)) {
			*valued = named_file_options[i].valued;
			return true;
		}
	return false;
}

/*
 * The forms that name FILE, options before it:
 *   --create [--alias NAME] [--precise] [--bounds LIST] [common] FILE
 *   --groupid ID [common] FILE
 * where common is [--device MAJOR:MINOR] [--follow inode|path]
 * [--foreground] [--verbose N] [--delete-on-stop].
 */
static enum cli_result
parse_named_file(int argc, char *const argv[], enum alias_form form,
    struct options *opt, struct fault *f)
{
	const char *value, *why;
	enum cli_result r;
	uint64_t id;
	int i = 1;
	bool valued;

	opt->fd = -1;
	opt->create = strcmp(argv[1], "--create") == 0;
	if (!opt->create) {
		/* The id follows --groupid at once. */
		if ((value = option_value(argc, argv, &i)) == NULL) {
			faultx(f, "--groupid needs a value");
			return CLI_BAD_USAGE;
		}
		if ((why = parse_number(value, GROUP_ID_MAX, &id)) != NULL)
			return bad(f, "--groupid", value, why);
		opt->group_id = id;
		opt->adopt = true;
	}
	for (i++; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (!known_option(argv[i], opt->create, &valued)) {
			faultx(f, "unknown option '%s'%s", argv[i],
			    opt->create ? "" : " (with --groupid)");
			return CLI_BAD_USAGE;
		}
		if (!valued) {
			if (strcmp(argv[i], "--precise") == 0)
				opt->precise = true;
			else if (strcmp(argv[i], "--foreground") == 0)
				opt->foreground = true;
			else
				opt->delete_on_stop = true;
			continue;
		}
		if ((value = option_value(argc, argv, &i)) == NULL) {
			faultx(f, "%s needs a value", argv[i]);
			return CLI_BAD_USAGE;
		}
		if ((r = parse_valued(argv[i - 1], value, form, opt, f)) !=
		    CLI_RUN)
			return r;
	}
	if (i == argc) {
		faultx(f, "missing FILE");
		return CLI_BAD_USAGE;
	}
	if (i + 1 < argc) {
		faultx(f, "too many arguments: '%s' is extra", argv[i + 1]);
		return CLI_BAD_USAGE;
	}
	if (argv[i][0] == '\0')
		return bad(f, "FILE", argv[i], "is empty");
	opt->file = argv[i];
	return CLI_RUN;
}

enum cli_result
cli_parse(int argc, char *const argv[], enum alias_form form,
    struct options *opt, struct fault *f)
{
	uint64_t value;
	const char *why;
	enum cli_result r;
	int foreground = 0;	/* FOREGROUND when not given */

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return CLI_HELP;
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		return CLI_VERSION;
	memset(opt, 0, sizeof(*opt));
	if (argc >= 2 && (strcmp(argv[1], "--create") == 0 ||
	    strcmp(argv[1], "--groupid") == 0))
		return parse_named_file(argc, argv, form, opt, f);
	if (argc < ARGS_MIN) {
		faultx(f, "missing arguments");
		return CLI_BAD_USAGE;
	}
	if (argc > ARGS_MAX) {
		faultx(f, "too many arguments: '%s' is extra", argv[ARGS_MAX]);
		return CLI_BAD_USAGE;
	}

	if ((why = parse_number(argv[1], INT_MAX, &value)) != NULL)
		return bad(f, "FD", argv[1], why);
	opt->fd = (int)value;

	if ((why = parse_number(argv[2], GROUP_ID_MAX, &value)) != NULL)
		return bad(f, "GROUP_ID", argv[2], why);
	opt->group_id = value;

	opt->path = argv[3];
	if (argv[3][0] == '\0')
		return bad(f, "ABS_PATH", argv[3], "is empty");
	if (argv[3][0] != '/')
		return bad(f, "ABS_PATH", argv[3], "is not absolute");

	if (strcmp(argv[4], "inode") == 0)
		opt->mode = FOLLOW_INODE;
	else if (strcmp(argv[4], "path") == 0)
		opt->mode = FOLLOW_PATH;
	else
		return bad(f, "mode", argv[4], "is neither 'inode' nor 'path'");

	if (argc > 5 && (r = parse_flag("FOREGROUND", argv[5], 1,
	    &foreground, f)) != CLI_RUN)
		return r;
	opt->foreground = foreground != 0;
	if (argc > 6 && (r = parse_flag("VERBOSE", argv[6], 3,
	    &opt->verbose, f)) != CLI_RUN)
		return r;
	return CLI_RUN;
}

int
cli_regions_per_extent(unsigned int *cap, struct fault *f)
{
	const char *text = getenv(REGIONS_PER_EXTENT_ENV);
	uint64_t value;

	*cap = REGIONS_PER_EXTENT_DEFAULT;
	if (text == NULL)
		return 0;
	if (parse_number(text, 65535, &value) != NULL || value < 1)
		return faultx(f, "%s '%s' is not a number from 1 to 65535",
		    REGIONS_PER_EXTENT_ENV, text);
	*cap = (unsigned int)value;
	return 0;
}

const char *
cli_file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device node";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "a file of an unknown kind";
}

int
cli_check_path(const struct options *opt, int stat_errno,
    const struct stat *at_path, const struct stat *file, struct fault *f)
{
	if (stat_errno == ENOENT)
		return faultx(f, "ABS_PATH '%s' does not exist", opt->path);
	if (stat_errno != 0) {
		errno = stat_errno;
		return fault(f, "ABS_PATH '%s' cannot be looked up",
		    opt->path);
	}
	if (at_path->st_dev == file->st_dev && at_path->st_ino == file->st_ino)
		return 0;
	if (S_ISREG(at_path->st_mode))
		return faultx(f, "ABS_PATH '%s' names another file than FD %d",
		    opt->path, opt->fd);
	return faultx(f, "ABS_PATH '%s' is %s, not the file open as FD %d",
	    opt->path, cli_file_kind(at_path->st_mode), opt->fd);
}
