/*
 * The command line: exactly as libdevmapper spawns the daemon, the
 * creation form, which makes the group first (create.h), or the form that
 * follows a group made before, named by its id, once it is proven FILE's.
 */
#ifndef DMFILEMAPD_CLI_H
#define DMFILEMAPD_CLI_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "descriptor.h"
#include "fault.h"

enum follow_mode {
	FOLLOW_INODE,
	FOLLOW_PATH,
};

#define BOUNDS_MAX 64	/* latency histogram boundaries --bounds takes */

struct options {
	int fd;			/* the monitored file, inherited open */
	uint64_t group_id;	/* id of the group's leader region */
	const char *path;	/* absolute path the file was opened by */
	enum follow_mode mode;
	bool foreground;
	int verbose;		/* 0..3 */
	/* The forms naming FILE: fd -1, path NULL until create_open. */
	bool create;		/* --create */
	bool adopt;		/* --groupid: the group must be proven FILE's */
	bool delete_on_stop;	/* --delete-on-stop: SIGTERM/SIGINT delete the group */
	dev_t device;		/* --device, or 0: the device of the group */
	const char *file;	/* FILE as given */
	const char *alias;	/* --alias, or NULL for the file's name */
	bool precise;		/* --precise */
	uint64_t bounds[BOUNDS_MAX];	/* --bounds, in nanoseconds, ascending */
	size_t n_bounds;
};

enum cli_result {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_BAD_USAGE,		/* wrong number of arguments: show usage */
	CLI_BAD_ARGUMENT,	/* one argument is wrong: the fault names it */
};

/* What the process exits with (dmfilemapd(8)). */
enum exit_status {
	EXIT_OK = 0,		/* the work is over, or is another daemon's */
	EXIT_FAILED = 1,	/* starting or following the group failed */
	EXIT_USAGE = 2,		/* the command line is wrong */
};

#define GROUP_ID_MAX 2147483647u	/* the kernel keeps region ids in an int */
#define DEVICE_MAJOR_MAX 4095u		/* the kernel's 12 bits of major */
#define DEVICE_MINOR_MAX 1048575u	/* and 20 of minor */

/*
 * Reads the command line; form is how the installed libdevmapper writes a
 * group's alias, which decides the aliases --alias takes.  CLI_BAD_USAGE
 * and CLI_BAD_ARGUMENT come with the refusal in f.
 */
enum cli_result cli_parse(int argc, char *const argv[], enum alias_form form,
    struct options *opt, struct fault *f);

/*
 * Whether ABS_PATH names the file open as FD: the same device and inode
 * numbers.  stat_errno is the errno of stat(ABS_PATH), or 0 when at_path
 * holds its answer; file is fstat(FD)'s.  Returns 0, or -1 with the
 * refusal in f, naming ABS_PATH and why: nothing is there, it cannot be
 * looked up, it is another file, or it is not a regular file at all.
 */
int cli_check_path(const struct options *opt, int stat_errno,
    const struct stat *at_path, const struct stat *file, struct fault *f);

/* "a directory", "a pipe", ... as messages say what a file is. */
const char *cli_file_kind(mode_t mode);

const char *cli_usage(void);
const char *follow_mode_name(enum follow_mode mode);

/*
 * The regions-per-extent cap from the environment, or its default; a bad
 * value is refused: -1 with the refusal in f.
 */
#define REGIONS_PER_EXTENT_DEFAULT 64
#define REGIONS_PER_EXTENT_ENV "DMFILEMAPD_REGIONS_PER_EXTENT"
int cli_regions_per_extent(unsigned int *cap, struct fault *f);

#endif
