/*
 * What a system daemon owes its caller: refuse a bad fd or a path that does
 * not name its file with a message the caller can read, drop what it
 * inherited, and detach only when running.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cli.h"
#include "daemon.h"
#include "fault.h"
#include "fiemap.h"
#include "log.h"
#include "target.h"

/* Filesystems that keep no data on a block device. */
static int
check_filesystem(int fd, const char *what, struct fault *f)
{
	struct statfs fs;

	if (fstatfs(fd, &fs) != 0)
		return fault(f, "%s: cannot read its filesystem", what);
	if (fs.f_type == TMPFS_MAGIC)
		return faultx(f, "%s: the file is on tmpfs, which keeps no "
		    "data on a block device", what);
	return 0;
}

static int
check_fiemap(int fd, const char *what, struct fault *f)
{
	if (file_map_supported(fd) == 0)
		return 0;
	if (errno == EOPNOTSUPP)
		return faultx(f, "%s: the file's filesystem does not support "
		    "FIEMAP", what);
	return fault(f, "%s: cannot read the file's extents", what);
}

int
daemon_check_file(int fd, const char *what, dev_t device, struct stat *st,
    struct target_set *targets, struct fault *f)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return faultx(f, "%s is not open", what);
	if ((flags & O_ACCMODE) == O_WRONLY)
		return faultx(f, "%s is open write-only; it must be readable",
		    what);
	if (fstat(fd, st) != 0)
		return fault(f, "%s", what);
	if (!S_ISREG(st->st_mode))
		return faultx(f, "%s is %s, not a regular file", what,
		    cli_file_kind(st->st_mode));
	if (check_filesystem(fd, what, f) != 0 ||
	    check_fiemap(fd, what, f) != 0)
		return -1;
	return target_find(fd, st, what, device, targets, f);
}

int
daemon_check_path(const struct options *opt, const struct stat *file,
    struct fault *f)
{
	struct stat at;
	int stat_errno = 0;

	memset(&at, 0, sizeof(at));
	if (stat(opt->path, &at) != 0)
		stat_errno = errno;
	return cli_check_path(opt, stat_errno, &at, file, f);
}

void
daemon_close_inherited(int keep)
{
	/* dmstats, for one, leaks its /dev/mapper/control fd to us. */
	if (keep > 3)
		close_range(3, (unsigned int)keep - 1, 0);
	if (keep >= 3)
		close_range((unsigned int)keep + 1, ~0U, 0);
}

/*
 * Once detached, every message goes to syslog: stdio is given to
 * /dev/null, so that the caller's terminal or pipe is not held open.  A
 * working directory that stays is no reason to stop: that is decided,
 * and said, here.
 */
int
daemon_detach(struct fault *f)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return fault(f, "cannot fork");
	if (pid > 0)
		_exit(EXIT_OK);
	if (setsid() < 0)
		return fault(f, "cannot leave the caller's session");
	if (chdir("/") != 0)
		log_warn("cannot change directory to /");
	umask(022);
	if ((null = open("/dev/null", O_RDWR)) < 0 ||
	    dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		return fault(f, "cannot put stdio on /dev/null");
	if (null > STDERR_FILENO)
		close(null);
	log_detach();
	return 0;
}

int
daemon_open_file(struct options *opt, char *abs, struct fault *f)
{
	if (realpath(opt->file, abs) == NULL) {
		if (errno == ENOENT)
			return faultx(f, "FILE '%s' does not exist", opt->file);
		/* As ABS_PATH's is said (cli.c). */
		return fault(f, "FILE '%s' cannot be looked up", opt->file);
	}
	/* Not blocking, so that a pipe is refused rather than waited on. */
	if ((opt->fd = open(abs, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOCTTY)) < 0)
		return fault(f, "FILE '%s' cannot be opened", opt->file);
	opt->path = abs;
	return 0;
}

void
daemon_set_name(void)
{
	/* Only the kernel's short name: argv[0] is the caller's to choose. */
	prctl(PR_SET_NAME, "dmfilemapd", 0, 0, 0);
}

void
daemon_exec_self(char *const argv[])
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	/*
	 * By its own path, so that the kernel names the process after it
	 * (through /proc/self/exe it would be "exe"); that path no longer
	 * leads to this program when the file was replaced since.
	 */
	if (n > 0 && (size_t)n < sizeof(self) - 1) {
		self[n] = '\0';
		execv(self, argv);
	}
	execv("/proc/self/exe", argv);
}
