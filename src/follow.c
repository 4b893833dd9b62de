/*
 * Identity checks of the followed file.  Path mode compares device and
 * inode numbers, never file contents; inode mode asks /proc about other
 * holders only once the file has no name left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"

enum path_state
follow_path_state(const char *path, const struct stat *followed)
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
follow_open(const char *path, struct stat *st)
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
follow_link_count(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	return (long)st.st_nlink;
}

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Whether one process has an fd on the file. */
static int
process_holds(const char *pid, const struct stat *file)
{
	char dir_path[64], link_path[320];
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
		snprintf(link_path, sizeof(link_path), "%s/%s", dir_path,
		    entry->d_name);
		held = stat(link_path, &st) == 0 &&
		    st.st_dev == file->st_dev && st.st_ino == file->st_ino;
	}
	closedir(dir);
	return held;
}

int
follow_held_elsewhere(const struct stat *file)
{
	char self[32];
	struct dirent *entry;
	DIR *proc;
	int held = 0;

	snprintf(self, sizeof(self), "%ld", (long)getpid());
	if ((proc = opendir("/proc")) == NULL)
		return -1;
	while (!held && (entry = readdir(proc)) != NULL)
		if (is_number(entry->d_name) &&
		    strcmp(entry->d_name, self) != 0)
			held = process_holds(entry->d_name, file);
	closedir(proc);
	return held;
}
