/* Identity of the followed file, on real files in a scratch directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe.h"

static char dir[64], path[96], other[96];

static int
make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/dmfilemapd-probe-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	return 0;
}

static int
remove_dir(void **state)
{
	(void)state;
	unlink(path);
	unlink(other);
	return rmdir(dir);
}

static int
create(const char *name)
{
	return open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

static void
test_path_states(void **state)
{
	struct stat st, found;
	int fd, fd2;

	(void)state;
	fd = create(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(probe_path_state(path, &st), PATH_SAME);

	/* Replaced by rename, as `mv new path` does. */
	fd2 = create(other);
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(probe_path_state(path, &st), PATH_REPLACED);
	close(fd2);
	fd2 = probe_open(path, &found);
	assert_true(fd2 >= 0);
	assert_true(found.st_ino != st.st_ino);
	assert_int_equal(probe_path_state(path, &found), PATH_SAME);
	close(fd2);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(probe_path_state(path, &st), PATH_MISSING);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(probe_path_state(path, &st), PATH_NOT_REGULAR);
	assert_int_equal(rmdir(path), 0);
	close(fd);
}

/* The followed file stands for one on another filesystem: /dev/shm. */
static void
test_replacement_on_another_device(void **state)
{
	char shm[64];
	struct stat followed, here;
	int fd;

	(void)state;
	snprintf(shm, sizeof(shm), "/dev/shm/dmfilemapd-follow-%d", getpid());
	fd = create(shm);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &followed), 0);
	close(fd);
	unlink(shm);
	close(create(path));
	assert_int_equal(stat(path, &here), 0);
	assert_true(here.st_dev != followed.st_dev);
	assert_int_equal(probe_path_state(path, &followed), PATH_OTHER_DEVICE);
}

static void
test_link_count_follows_unlink(void **state)
{
	int fd;

	(void)state;
	fd = create(path);
	assert_int_equal(probe_link_count(fd), 1);
	assert_int_equal(link(path, other), 0);
	assert_int_equal(probe_link_count(fd), 2);
	unlink(path);
	unlink(other);
	assert_int_equal(probe_link_count(fd), 0);
	close(fd);
}

/*
 * Starts a child that holds the file open (its own fd, besides the one it
 * inherits) until stopped.  With a name, the child takes it: a process
 * named like this one would be taken for another daemon following the file.
 */
static pid_t
spawn_holder(const char *name)
{
	int ready[2], held;
	pid_t child;
	char c;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		held = open(path, O_RDONLY);
		if (name != NULL)
			prctl(PR_SET_NAME, name);
		if (held < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return child;
}

static void
stop_holder(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void
test_other_holders(void **state)
{
	struct stat st;
	pid_t child;
	int fd;

	(void)state;
	fd = create(path);
	assert_int_equal(fstat(fd, &st), 0);
	/* Only this process holds it: that does not count. */
	assert_int_equal(probe_held_elsewhere(&st), HELD_BY_NONE);

	child = spawn_holder("holder");
	close(fd);
	unlink(path);
	assert_int_equal(probe_held_elsewhere(&st), HELD_BY_OTHERS);
	stop_holder(child);
	assert_int_equal(probe_held_elsewhere(&st), HELD_BY_NONE);
}

/* Another process of the same program only follows the file: no holder. */
static void
test_followers_do_not_hold(void **state)
{
	struct stat st;
	pid_t child;
	int fd;

	(void)state;
	fd = create(path);
	assert_int_equal(fstat(fd, &st), 0);
	child = spawn_holder(NULL);
	unlink(path);
	/* The child kept this program's name: it is a follower, not a user. */
	assert_int_equal(probe_held_elsewhere(&st), HELD_BY_NONE);
	stop_holder(child);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path_states, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(test_replacement_on_another_device,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_link_count_follows_unlink,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_other_holders, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(test_followers_do_not_hold,
		    make_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
