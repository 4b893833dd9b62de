/*
 * libFuzzer target: the command line.  The input is split into argv at its
 * NULs.  cli_parse's answer is checked against a model of
 *   dmfilemapd FD GROUP_ID ABS_PATH inode|path [FOREGROUND [VERBOSE]]
 * written here independently: which answer, which values, which argument
 * the message names.  The message buffer is exactly errlen bytes long
 * (errlen taken from the input), so that AddressSanitizer sees any write
 * past it.
 */
#include <limits.h>

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

	if (errlen == 0)
		return;
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *argv[ARGV_MAX + 1], *err, *want;
	size_t errlen = size % 80, i;
	struct options opt;
	enum cli_result r;
	int argc = 0;

	/* Pieces between NULs: "a\0b" is two arguments, "" is none. */
	for (i = 0; size > 0 && i <= size && argc < ARGV_MAX; i++)
		if (i == 0 || text[i - 1] == '\0')
			argv[argc++] = text + i;
	argv[argc] = NULL;
	err = malloc(errlen > 0 ? errlen : 1);
	CHECK(err != NULL);
	r = cli_parse(argc, argv, &opt, err, errlen);

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		CHECK(r == CLI_HELP);
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
	free(err);
	free(text);
	return 0;
}
