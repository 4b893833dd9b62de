/*
 * dmfilemapd: keeps a dm-stats region group in step with the extents of
 * one file, as created by `dmstats create --filemap`.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli.h"
#include "create.h"
#include "daemon.h"
#include "devmapper.h"
#include "fault.h"
#include "followers.h"
#include "log.h"
#include "monitor.h"

static void
print_help(void)
{
	printf("%s\n\n"
	    "Keeps the dm-stats region group GROUP_ID in step with the extents\n"
	    "of the file open as FD (opened from ABS_PATH).  'inode' follows\n"
	    "that file wherever it is renamed; 'path' follows whatever file is\n"
	    "at ABS_PATH.  FOREGROUND is 0 or 1, VERBOSE 0 to 3.\n"
	    "With --create it first makes a group over FILE's extents, as\n"
	    "'dmstats create --filemap' does, then follows it; with --groupid\n"
	    "it follows group ID, made before, once it is proven FILE's;\n"
	    "--device names the group's device where FILE's btrfs has several.\n"
	    "See dmfilemapd(8).\n", cli_usage());
}

/*
 * stdin, stdout and stderr are given to /dev/null once detached, so a
 * file inherited on one of them moves out of their way first.
 */
static int
move_above_stdio(int fd)
{
	return fd > STDERR_FILENO ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * Starts the daemons of the file's other groups, each its own (see
 * followers.c).  One that does not start leaves its group unfollowed:
 * that is decided, and said, here; the others go on.
 */
static void
start_followers(const struct options *opt,
    const struct created_groups *groups)
{
	size_t i;
	int r;

	for (i = 1; i < groups->n; i++) {
		if ((r = followers_start(opt, &groups->each[i])) == 0)
			continue;
		if (r < 0)
			log_error("cannot start the daemon of group %" PRIu64
			    " on %u:%u", groups->each[i].id,
			    major(groups->each[i].target.devno),
			    minor(groups->each[i].target.devno));
		else
			log_errorx("group %" PRIu64 " on %u:%u is not "
			    "followed: its daemon did not start",
			    groups->each[i].id,
			    major(groups->each[i].target.devno),
			    minor(groups->each[i].target.devno));
	}
}

/*
 * Makes or finds the file's groups (create.h), and follows the first:
 * as dmstats would have started its daemon where the file can have only
 * the one, else as this process.  Returns 0, or -1 with the refusal in f.
 */
static int
create(struct options *opt, const struct stat *st,
    const struct target_set *targets, struct target *target,
    struct fault *f)
{
	struct created_groups groups;

	if (create_groups(opt, st, targets, &groups, f) != 0)
		return -1;
	start_followers(opt, &groups);
	*target = groups.each[0].target;
	opt->group_id = groups.each[0].id;
	/* A group found is proven the file's again as it is taken. */
	opt->adopt = groups.each[0].found;
	/*
	 * The positional form can carry neither --delete-on-stop nor the
	 * device of a file system that has several.
	 */
	if (!opt->adopt && !opt->delete_on_stop && opt->device == 0 &&
	    targets->n == 1 && create_hand_over(opt) != 0)
		log_warn("cannot start again as the group's daemon "
		    "(following it as this process)");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct options opt;
	struct monitor m;
	struct stat st;
	struct target_set targets;
	struct target target;
	struct fault f;
	char abs[PATH_MAX], what[PATH_MAX + 16];
	enum exit_status status;

	daemon_set_name();
	/*
	 * Every refusal before the daemon runs comes here as one line in f,
	 * and is said once, here: this is where start-up is given up.
	 */
	switch (cli_parse(argc, argv, devmapper_alias_form(), &opt, &f)) {
	case CLI_HELP:
		print_help();
		return EXIT_OK;
	case CLI_VERSION:
		printf("dmfilemapd %s\n", DMFILEMAPD_VERSION);
		return EXIT_OK;
	case CLI_BAD_USAGE:
		fprintf(stderr, "dmfilemapd: %s\n%s\n", f.line, cli_usage());
		return EXIT_USAGE;
	case CLI_BAD_ARGUMENT:
		fprintf(stderr, "dmfilemapd: %s\n", f.line);
		return EXIT_USAGE;
	case CLI_RUN:
		break;
	}
	log_init(opt.verbose);
	if ((opt.create || opt.adopt) &&
	    daemon_open_file(&opt, abs, &f) != 0) {
		log_errorx("%s", f.line);
		return EXIT_FAILED;
	}
	if (opt.create || opt.adopt)
		snprintf(what, sizeof(what), "FILE '%s'", opt.file);
	else
		snprintf(what, sizeof(what), "FD %d", opt.fd);
	if (daemon_check_file(opt.fd, what, opt.device, &st, &targets,
	    &f) != 0 || daemon_check_path(&opt, &st, &f) != 0 ||
	    (!opt.create && target_only(&targets, what, &target, &f) != 0)) {
		log_errorx("%s", f.line);
		return EXIT_FAILED;
	}
	if ((opt.fd = move_above_stdio(opt.fd)) < 0) {
		log_error("FD: cannot move it above stdio");
		return EXIT_FAILED;
	}
	daemon_close_inherited(opt.fd);
	if (opt.create && create(&opt, &st, &targets, &target, &f) != 0) {
		log_errorx("%s", f.line);
		return EXIT_FAILED;
	}
	if (monitor_start(&m, &opt, &st, &target, &f) != 0) {
		log_errorx("%s", f.line);
		monitor_close(&m);
		return EXIT_FAILED;
	}
	if (!opt.foreground && !monitor_done(&m) && daemon_detach(&f) != 0) {
		log_errorx("%s", f.line);
		monitor_close(&m);
		return EXIT_FAILED;
	}
	status = monitor_run(&m);
	monitor_close(&m);
	return status;
}
