/*
 * The claim protocol between two daemons, natively: both ends live in this
 * process, their claims in a directory of the test's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "claim.h"

#define MAJOR 4095
#define MINOR ((unsigned int)getpid())

/* Where the claims go: made for each run, removed after. */
static char dir[] = "/tmp/dmfilemapd-claims.XXXXXX";

static int
make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
remove_dir(void **state)
{
	char command[64];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	return system(command) == 0 ? 0 : -1;
}

static void
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 5000), 1);
}

/* The holder is asked, checks, and keeps its group: the newcomer gives up. */
static void
test_kept(void **state)
{
	struct claim holder, newcomer;
	int question;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 5, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 5, 0), CLAIM_ASKING);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((question = claim_take_question(&holder)) >= 0);
	claim_answer(question, CLAIM_KEPT);
	wait_readable(newcomer.ask_fd);
	assert_int_equal(claim_reply_came(&newcomer, 2), CLAIM_TAKEN);
	assert_int_equal(newcomer.ask_fd, -1);
	assert_int_equal(newcomer.fd, -1);
	claim_release(&holder);
	claim_release(&newcomer);
}

/* A question and a prompt, told apart; a prompt names no other group. */
static void
test_prompt(void **state)
{
	struct claim holder, newcomer;
	nsec_t seen = 0;
	int fd;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 8, 0), CLAIM_HELD);
	assert_int_equal(claim_prompt(dir, MAJOR, MINOR, 8, 123456789012345), 0);
	wait_readable(holder.fd);
	assert_true((fd = claim_take_question(&holder)) >= 0);
	assert_int_equal(claim_read_request(fd, &seen), 1);
	assert_int_equal(seen, 123456789012345);
	close(fd);
	assert_int_equal(claim_take(&newcomer, 8, 0), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((fd = claim_take_question(&holder)) >= 0);
	assert_int_equal(claim_read_request(fd, &seen), 0);
	claim_answer(fd, CLAIM_KEPT);
	wait_readable(newcomer.ask_fd);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_TAKEN);
	/* No daemon follows group 9. */
	assert_int_equal(claim_prompt(dir, MAJOR, MINOR, 9, 1), -1);
	assert_int_equal(errno, ECONNREFUSED);
	claim_release(&holder);
	claim_release(&newcomer);
}

/* The holder's group is not at that id any more: it lets go, the newcomer binds. */
static void
test_let_go(void **state)
{
	struct claim holder, newcomer;
	int question;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 6, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 6, 0), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((question = claim_take_question(&holder)) >= 0);
	claim_answer(question, CLAIM_LET_GO);
	claim_release(&holder);
	wait_readable(newcomer.ask_fd);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_HELD);
	assert_int_equal(newcomer.id, 6);
	assert_true(newcomer.fd >= 0);
	claim_release(&newcomer);
}

/* A holder that exits without a word has let go too. */
static void
test_holder_gone(void **state)
{
	struct claim holder, newcomer;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 7, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 7, 0), CLAIM_ASKING);
	claim_release(&holder);
	wait_readable(newcomer.ask_fd);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_HELD);
	claim_release(&newcomer);
}

/* Moving to another id lets go of the old one at once; moving back binds again. */
static void
test_move(void **state)
{
	struct claim mover, other;

	(void)state;
	claim_init(&mover, dir, MAJOR, MINOR);
	claim_init(&other, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&mover, 8, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&mover, 8, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&mover, 3, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&other, 8, 0), CLAIM_HELD);
	claim_release(&other);
	assert_int_equal(claim_take(&mover, 8, 0), CLAIM_HELD);
	claim_release(&mover);
}

/* No reply by the deadline: the holder is asked again, not waited for forever. */
static void
test_deadline(void **state)
{
	struct claim holder, newcomer;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 9, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 9, 0), CLAIM_ASKING);
	assert_int_equal(claim_reply_came(&newcomer, CLAIM_REPLY_MS),
	    CLAIM_ASKING);
	assert_int_equal(newcomer.ask_deadline, 2 * CLAIM_REPLY_MS);
	assert_true(newcomer.ask_fd >= 0);
	claim_release(&holder);
	claim_release(&newcomer);
}

/*
 * A holder killed leaves its socket behind, which no one listens on: the
 * next daemon takes the claim and binds afresh.
 */
static void
test_killed_holder_left_its_socket(void **state)
{
	struct claim holder, newcomer;

	(void)state;
	claim_init(&holder, dir, MAJOR, MINOR);
	claim_init(&newcomer, dir, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 10, 0), CLAIM_HELD);
	/* What the kernel does for a killed process: its fds close. */
	close(holder.fd);
	assert_int_equal(claim_take(&newcomer, 10, 0), CLAIM_HELD);
	assert_int_equal(claim_prompt(dir, MAJOR, MINOR, 10, 1), 0);
	claim_release(&newcomer);
	assert_int_equal(claim_prompt(dir, MAJOR, MINOR, 10, 1), -1);
	assert_int_equal(errno, ECONNREFUSED);
}

/* Claims live only where no other user may make a file. */
static void
test_directory_others_may_write(void **state)
{
	struct claim c;
	char device_dir[128];

	(void)state;
	claim_init(&c, dir, MAJOR, MINOR);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(claim_take(&c, 11, 0), CLAIM_FAILED);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(claim_take(&c, 11, 0), CLAIM_HELD);
	claim_release(&c);
	snprintf(device_dir, sizeof(device_dir), "%s/%u:%u.daemons", dir, MAJOR,
	    MINOR);
	assert_int_equal(chown(device_dir, 1000, 1000), 0);
	assert_int_equal(claim_take(&c, 11, 0), CLAIM_FAILED);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chown(device_dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 0700), 0);
}

/*
 * A daemon of an older version holds the abstract name of group 12, and
 * as uid answers that it keeps the group; run in a child process.
 */
static pid_t
older_daemon(uid_t uid, int *ready)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	unsigned int minor = MINOR;	/* the parent's pid */
	int fds[2], fd, asker, n;
	char question;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) != 0) {
		close(fds[1]);
		*ready = fds[0];
		return pid;
	}
	n = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
	    "dmfilemapd/%u:%u/12", MAJOR, minor);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (setuid(uid) != 0 || bind(fd, (struct sockaddr *)&addr,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0 ||
	    listen(fd, 1) != 0)
		_exit(1);
	if (write(fds[1], "r", 1) != 1)
		_exit(1);
	/* An untrusted peer is never asked; the parent's connect is seen. */
	alarm(20);
	if ((asker = accept(fd, NULL, NULL)) < 0)
		_exit(1);
	if (uid == 0 && (read(asker, &question, 1) != 1 || question != '?' ||
	    write(asker, "K", 1) != 1))
		_exit(1);
	_exit(0);
}

/*
 * A root daemon of an older version that keeps the group is left to it;
 * any other process holding that abstract name is not listened to.
 */
static void
test_older_daemon(void **state)
{
	struct claim c;
	char r;
	int ready, status;
	pid_t pid;

	(void)state;
	pid = older_daemon(0, &ready);
	assert_int_equal(read(ready, &r, 1), 1);
	claim_init(&c, dir, MAJOR, MINOR);
	assert_int_equal(claim_at_start(&c, 12, "lin"), CLAIM_TAKEN);
	assert_int_equal(c.fd, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	close(ready);

	pid = older_daemon(1000, &ready);
	assert_int_equal(read(ready, &r, 1), 1);
	assert_int_equal(claim_at_start(&c, 12, "lin"), CLAIM_HELD);
	assert_true(c.fd >= 0);
	claim_release(&c);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	close(ready);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_let_go),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_holder_gone),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_killed_holder_left_its_socket),
		cmocka_unit_test(test_directory_others_may_write),
		cmocka_unit_test(test_older_daemon),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
