/*
 * The daemons of a file's other groups.  A btrfs over several
 * device-mapper devices gives a file a group on each device that holds
 * some of its data; each group has a daemon of its own, started as
 * `dmfilemapd --groupid ID --device MAJOR:MINOR FILE` would be, so that
 * claims, watchers and deletion are per group as for any other.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "followers.h"
#include "log.h"

#define ARGV_MAX 16

int
followers_start(const struct options *opt, const struct created_group *g)
{
	char id[24], device[32], verbose[8];
	char *argv[ARGV_MAX];
	int n = 0, status;
	pid_t pid;

	snprintf(id, sizeof(id), "%" PRIu64, g->id);
	snprintf(device, sizeof(device), "%u:%u", major(g->target.devno),
	    minor(g->target.devno));
	snprintf(verbose, sizeof(verbose), "%d", opt->verbose);
	argv[n++] = "dmfilemapd";
	argv[n++] = "--groupid";
	argv[n++] = id;
	argv[n++] = "--device";
	argv[n++] = device;
	argv[n++] = "--follow";
	argv[n++] = (char *)follow_mode_name(opt->mode);
	argv[n++] = "--verbose";
	argv[n++] = verbose;
	if (opt->foreground)
		argv[n++] = "--foreground";
	if (opt->delete_on_stop)
		argv[n++] = "--delete-on-stop";
	argv[n++] = "--";
	argv[n++] = (char *)opt->path;
	argv[n] = NULL;
	/* In the foreground they run beside this one, reaped by the kernel. */
	if (opt->foreground)
		signal(SIGCHLD, SIG_IGN);
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		daemon_exec_self(argv);
		_exit(EXIT_FAILED);
	}
	if (opt->foreground)
		return 0;
	/* It forks to the background once it runs: its status is its start's. */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == EXIT_OK ? 0 : 1;
}
