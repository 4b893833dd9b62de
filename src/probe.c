/*
 * Identity checks of the followed file.  Path mode compares device and
 * inode numbers, never file contents; inode mode asks /proc about other
 * holders only once the file has no name left.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "decimal.h"
#include "probe.h"

enum path_state
probe_path_state(const char *path, const struct stat *followed)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return PATH_MISSING;
	if (st.st_dev == followed->st_dev && st.st_ino == followed->st_ino)
		return PATH_SAME;
	if (!S_ISREG(st.st_mode))
		return PATH_NOT_REGULAR;
	if (st.st_dev != followed->st_dev)
		return PATH_OTHER_DEVICE;
	return PATH_REPLACED;
}

int
probe_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

long
probe_link_count(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	return (long)st.st_nlink;
}

static int
is_number(const char *s)
{
	uint64_t value;
	const char *end = decimal_read(s, &value);

	return end != NULL && *end == '\0';
}

/* Whether one process has an fd on the file. */
static int
process_holds(const char *pid, const struct stat *file)
{
	char dir_path[PATH_MAX], link_path[PATH_MAX];
	struct dirent *entry;
	struct stat st;
	DIR *dir;
	int held = 0;

	snprintf(dir_path, sizeof(dir_path), "/proc/%s/fd", pid);
	if ((dir = opendir(dir_path)) == NULL)
		return 0;	/* gone meanwhile, or not ours to see */
	while (!held && (entry = readdir(dir)) != NULL) {
		if (!is_number(entry->d_name))
			continue;
		snprintf(link_path, sizeof(link_path), "/proc/%s/fd/%s", pid,
		    entry->d_name);
		held = stat(link_path, &st) == 0 &&
		    st.st_dev == file->st_dev && st.st_ino == file->st_ino;
	}
	closedir(dir);
	return held;
}

/* A process's command name, as /proc keeps it; "" when unknown. */
static void
read_comm(const char *pid, char *comm, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(comm, (int)size, f) == NULL)
		comm[0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/*
 * Another daemon following the same file (a second group on it) holds it
 * only to follow it too: counting it as a user would make the two wait for
 * each other for ever, and keep a deleted file's blocks from being freed.
 */
static int
is_follower(const char *pid, const char *own_comm)
{
	char comm[32];

	read_comm(pid, comm, sizeof(comm));
	return own_comm[0] != '\0' && strcmp(comm, own_comm) == 0;
}

enum holders
probe_held_elsewhere(const struct stat *file)
{
	char self[32], own_comm[32];
	struct dirent *entry;
	DIR *proc;
	int held = 0;

	snprintf(self, sizeof(self), "%ld", (long)getpid());
	read_comm("self", own_comm, sizeof(own_comm));
	if ((proc = opendir("/proc")) == NULL)
		return HOLDERS_UNKNOWN;
	while (!held && (entry = readdir(proc)) != NULL)
		if (is_number(entry->d_name) &&
		    strcmp(entry->d_name, self) != 0 &&
		    process_holds(entry->d_name, file) &&
		    !is_follower(entry->d_name, own_comm))
			held = 1;
	closedir(proc);
	return held ? HELD_BY_OTHERS : HELD_BY_NONE;
}

enum mount_state
probe_fs_mounted(dev_t dev)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t size = 0;
	unsigned int maj, min;
	int found = 0;

	if (f == NULL)
		return FS_MOUNTS_UNKNOWN;
	/* "<mount id> <parent id> <major>:<minor> <root> <mount point> ..." */
	while (!found && getline(&line, &size, f) > 0)
		found = sscanf(line, "%*d %*d %u:%u", &maj, &min) == 2 &&
		    makedev(maj, min) == dev;
	free(line);
	fclose(f);
	return found ? FS_MOUNTED : FS_UNMOUNTED;
}
