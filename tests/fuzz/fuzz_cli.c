/*
 * libFuzzer target: the command line.  The input is split into argv at its
 * NULs.  cli_parse's answer is checked against a model of
 *   dmfilemapd FD GROUP_ID ABS_PATH inode|path [FOREGROUND [VERBOSE]]
 *   dmfilemapd --create [--alias NAME] [--precise] [--bounds LIST]
 *       [--device MAJOR:MINOR] [--follow inode|path] [--foreground]
 *       [--verbose N] [--delete-on-stop] [--] FILE
 *   dmfilemapd --groupid ID [--device MAJOR:MINOR] [--follow inode|path]
 *       [--foreground] [--verbose N] [--delete-on-stop] [--] FILE
 * written here independently: which answer, which values, which argument
 * the message names, which aliases each library's form takes.  The
 * refusal is a struct fault of its own allocation (the form is taken from
 * the input's length), so that AddressSanitizer sees any write past it.
 */
#include <limits.h>
#include <sys/sysmacros.h>

#include "cli.h"
#include "fuzz.h"

#define ARGV_MAX 12

/* Decimal digits only, and no more than max; sets *value. */
static int
number_ok(const char *s, uint64_t max, uint64_t *value)
{
	uint64_t v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return 0;
	}
	*value = v;
	return 1;
}

/*
 * err holds the message snprintf would write for want (exact) or for a text
 * that starts with want, cut short by errlen.
 */
static void
check_message(const char *err, size_t errlen, const char *want, int exact)
{
	size_t n, w = strlen(want);

	CHECK(memchr(err, '\0', errlen) != NULL);
	n = strlen(err);
	CHECK(strncmp(err, want, n < w ? n : w) == 0);
	if (exact)
		CHECK(n == (w < errlen - 1 ? w : errlen - 1));
	else
		CHECK(n >= (w < errlen - 1 ? w : errlen - 1));
}

/* The first wrong argument, as the message must name it with its value. */
static void
check_bad(char *const argv[], int argc, const char *err, size_t errlen)
{
	static const char *const names[] = {
		NULL, "FD", "GROUP_ID", "ABS_PATH", "mode", "FOREGROUND",
		"VERBOSE",
	};
	uint64_t v;
	int i;
	char *want;

	if (!number_ok(argv[1], INT_MAX, &v))
		i = 1;
	else if (!number_ok(argv[2], GROUP_ID_MAX, &v))
		i = 2;
	else if (argv[3][0] != '/')
		i = 3;
	else if (strcmp(argv[4], "inode") != 0 && strcmp(argv[4], "path") != 0)
		i = 4;
	else if (argc > 5 && !number_ok(argv[5], 1, &v))
		i = 5;
	else if (argc > 6 && !number_ok(argv[6], 3, &v))
		i = 6;
	else
		CHECK(!"an argument was refused, yet all are right");
	CHECK(asprintf(&want, "%s '%s' ", names[i], argv[i]) >= 0);
	check_message(err, errlen, want, 0);
	free(want);
}

static void
check_run(char *const argv[], int argc, const struct options *opt)
{
	uint64_t v;

	CHECK(number_ok(argv[1], INT_MAX, &v) && opt->fd == (int)v);
	CHECK(number_ok(argv[2], GROUP_ID_MAX, &v) && opt->group_id == v);
	CHECK(opt->path == argv[3] && argv[3][0] == '/');
	CHECK(opt->mode == (strcmp(argv[4], "path") == 0 ? FOLLOW_PATH :
	    FOLLOW_INODE));
	CHECK(strcmp(argv[4], follow_mode_name(opt->mode)) == 0);
	if (argc > 5)
		CHECK(number_ok(argv[5], 1, &v) && opt->foreground == (int)v);
	else
		CHECK(opt->foreground == 0);
	if (argc > 6)
		CHECK(number_ok(argv[6], 3, &v) && opt->verbose == (int)v);
	else
		CHECK(opt->verbose == 0);
}

/*
 * An alias dmstats could read back and rewrite: a quoting library takes
 * blanks, backslashes and quotes too.
 */
static int
alias_ok(enum alias_form form, const char *a)
{
	if (*a == '\0')
		return 0;
	for (; *a != '\0'; a++) {
		if (*a == ':' || *a == '#' || *a == 0x7f ||
		    ((unsigned char)*a < ' ' && *a != '\t'))
			return 0;
		if (form == ALIAS_BARE && (*a == ' ' || *a == '\t' ||
		    *a == '\\' || *a == '"'))
			return 0;
	}
	return 1;
}

/* An option of the form: --create's all, --groupid's the common ones. */
static int
option_known(const char *o, int create, int *valued)
{
	*valued = !strcmp(o, "--follow") || !strcmp(o, "--verbose") ||
	    !strcmp(o, "--device") || (create && (!strcmp(o, "--alias") || !strcmp(o, "--bounds")));
	return *valued || !strcmp(o, "--foreground") ||
	    !strcmp(o, "--delete-on-stop") ||
	    (create && !strcmp(o, "--precise"));
}

/* --device's MAJOR:MINOR of a block device: major 1-4095, minor 20 bits. */
static int
device_ok(const char *s, dev_t *dev)
{
	const char *colon = strchr(s, ':');
	char *major_text;
	uint64_t major, minor;
	int ok;

	if (colon == NULL)
		return 0;
	major_text = strndup(s, (size_t)(colon - s));
	CHECK(major_text != NULL);
	ok = number_ok(major_text, 4095, &major) && major > 0 &&
	    number_ok(colon + 1, 1048575, &minor);
	free(major_text);
	if (ok)
		*dev = makedev((unsigned int)major, (unsigned int)minor);
	return ok;
}

/* --bounds' list: latencies with units, ascending from above 0. */
static long
bounds_ok(const char *s, uint64_t *ns)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	static const uint64_t scale[] = { 1, 1000, 1000000, 1000000000 };
	uint64_t v;
	size_t n = 0, u, len;

	for (;;) {
		if (n == BOUNDS_MAX || *s < '0' || *s > '9')
			return -1;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		for (u = 0; u < 4; u++) {
			len = strlen(units[u]);
			if (strncmp(s, units[u], len) == 0) {
				if (v > UINT64_MAX / scale[u])
					return -1;
				v *= scale[u];
				s += len;
				break;
			}
		}
		if ((*s != ',' && *s != '\0') || v == 0 ||
		    (n > 0 && v <= ns[n - 1]))
			return -1;
		ns[n++] = v;
		if (*s++ == '\0')
			return (long)n;
	}
}

/* The forms naming FILE: every answer cli_parse may give to argv. */
static void
check_named(char *const argv[], int argc, enum alias_form form,
    enum cli_result r, const struct options *opt, const char *err,
    size_t errlen)
{
	const char *alias = NULL, *o;
	uint64_t bounds[BOUNDS_MAX], v, id = 0;
	dev_t device = 0;
	long n_bounds = 0;
	int i = 2, precise = 0, foreground = 0, verbose = 0, mode = FOLLOW_INODE;
	int delete = 0;
	int create = strcmp(argv[1], "--create") == 0, valued;
	char *want;

	if (!create && argc == 2) {
		CHECK(r == CLI_BAD_USAGE);
		check_message(err, errlen, "--groupid needs a value", 1);
		return;
	}
	if (!create && !number_ok(argv[2], GROUP_ID_MAX, &id)) {
		CHECK(r == CLI_BAD_ARGUMENT);
		CHECK(asprintf(&want, "--groupid '%s' ", argv[2]) >= 0);
		check_message(err, errlen, want, 0);
		free(want);
		return;
	}
	for (i += !create; i < argc && argv[i][0] == '-' && argv[i][1] != '\0';
	    i++) {
		o = argv[i];
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (!option_known(o, create, &valued)) {
			CHECK(r == CLI_BAD_USAGE);
			CHECK(asprintf(&want, "unknown option '%s'%s", o,
			    create ? "" : " (with --groupid)") >= 0);
			check_message(err, errlen, want, 1);
			free(want);
			return;
		}
		if (!valued) {
			*(o[2] == 'p' ? &precise : o[2] == 'f' ? &foreground :
			    &delete) = 1;
			continue;
		}
		if (i + 1 == argc) {
			CHECK(r == CLI_BAD_USAGE);
			CHECK(asprintf(&want, "%s needs a value", o) >= 0);
			check_message(err, errlen, want, 1);
			free(want);
			return;
		}
		i++;
		if ((strcmp(o, "--alias") == 0 && !alias_ok(form, argv[i])) ||
		    (strcmp(o, "--bounds") == 0 &&
		    (n_bounds = bounds_ok(argv[i], bounds)) < 0) ||
		    (strcmp(o, "--follow") == 0 && strcmp(argv[i], "inode") &&
		    strcmp(argv[i], "path")) ||
		    (strcmp(o, "--verbose") == 0 && !number_ok(argv[i], 3, &v)) ||
		    (strcmp(o, "--device") == 0 && !device_ok(argv[i], &device))) {
			CHECK(r == CLI_BAD_ARGUMENT);
			CHECK(asprintf(&want, "%s '%s' ", o, argv[i]) >= 0);
			check_message(err, errlen, want, 0);
			free(want);
			return;
		}
		if (strcmp(o, "--alias") == 0)
			alias = argv[i];
		else if (strcmp(o, "--follow") == 0)
			mode = strcmp(argv[i], "path") == 0 ? FOLLOW_PATH :
			    FOLLOW_INODE;
		else if (strcmp(o, "--verbose") == 0)
			verbose = (int)v;
	}
	if (i >= argc) {
		CHECK(r == CLI_BAD_USAGE);
		check_message(err, errlen, "missing FILE", 1);
	} else if (i + 1 < argc) {
		CHECK(r == CLI_BAD_USAGE);
		CHECK(asprintf(&want, "too many arguments: '%s' is extra",
		    argv[i + 1]) >= 0);
		check_message(err, errlen, want, 1);
		free(want);
	} else if (argv[i][0] == '\0') {
		CHECK(r == CLI_BAD_ARGUMENT);
		check_message(err, errlen, "FILE '' is empty", 1);
	} else {
		CHECK(r == CLI_RUN);
		CHECK(opt->create == create && opt->adopt == !create);
		CHECK(opt->fd == -1 && opt->file == argv[i]);
		CHECK(create || opt->group_id == id);
		CHECK(opt->alias == alias && opt->precise == precise);
		CHECK(opt->foreground == foreground && opt->verbose == verbose);
		CHECK(opt->delete_on_stop == delete && opt->device == device);
		CHECK((int)opt->mode == mode);
		CHECK(opt->n_bounds == (size_t)n_bounds);
		CHECK(n_bounds == 0 || memcmp(opt->bounds, bounds,
		    (size_t)n_bounds * sizeof(*bounds)) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *argv[ARGV_MAX + 1], *err, *want;
	struct fault *f;
	size_t errlen, i;
	enum alias_form form = size % 160 < 80 ? ALIAS_BARE : ALIAS_QUOTED;
	struct options opt;
	enum cli_result r;
	int argc = 0;

	/* Pieces between NULs: "a\0b" is two arguments, "" is none. */
	for (i = 0; size > 0 && i <= size && argc < ARGV_MAX; i++)
		if (i == 0 || text[i - 1] == '\0')
			argv[argc++] = text + i;
	argv[argc] = NULL;
	f = malloc(sizeof(*f));
	CHECK(f != NULL);
	err = f->line;
	errlen = sizeof(f->line);
	r = cli_parse(argc, argv, form, &opt, f);

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		CHECK(r == CLI_HELP);
	else if (argc >= 2 && (strcmp(argv[1], "--create") == 0 ||
	    strcmp(argv[1], "--groupid") == 0))
		check_named(argv, argc, form, r, &opt, err, errlen);
	else if (argc == 2 && strcmp(argv[1], "--version") == 0)
		CHECK(r == CLI_VERSION);
	else if (argc < 5) {
		CHECK(r == CLI_BAD_USAGE);
		check_message(err, errlen, "missing arguments", 1);
	} else if (argc > 7) {
		CHECK(r == CLI_BAD_USAGE);
		CHECK(asprintf(&want, "too many arguments: '%s' is extra",
		    argv[7]) >= 0);
		check_message(err, errlen, want, 1);
		free(want);
	} else if (r == CLI_RUN) {
		check_run(argv, argc, &opt);
	} else {
		CHECK(r == CLI_BAD_ARGUMENT);
		check_bad(argv, argc, err, errlen);
	}
	free(f);
	free(text);
	return 0;
}
