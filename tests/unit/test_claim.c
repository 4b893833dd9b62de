/*
 * The claim protocol between two daemons, natively: both ends live in this
 * process, on a device number no real daemon uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <cmocka.h>

#include "claim.h"

#define MAJOR 4095
#define MINOR ((unsigned int)getpid())

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
	claim_init(&holder, MAJOR, MINOR);
	claim_init(&newcomer, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 5, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 5, 0), CLAIM_ASKING);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((question = claim_take_question(&holder)) >= 0);
	claim_answer(question, 1);
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
	int64_t seen = 0;
	int fd;

	(void)state;
	claim_init(&holder, MAJOR, MINOR);
	claim_init(&newcomer, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 8, 0), CLAIM_HELD);
	assert_int_equal(claim_prompt(MAJOR, MINOR, 8, 123456789012345), 0);
	wait_readable(holder.fd);
	assert_true((fd = claim_take_question(&holder)) >= 0);
	assert_int_equal(claim_read_request(fd, &seen), 1);
	assert_int_equal(seen, 123456789012345);
	close(fd);
	assert_int_equal(claim_take(&newcomer, 8, 0), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((fd = claim_take_question(&holder)) >= 0);
	assert_int_equal(claim_read_request(fd, &seen), 0);
	claim_answer(fd, 1);
	wait_readable(newcomer.ask_fd);
	assert_int_equal(claim_reply_came(&newcomer, 1), CLAIM_TAKEN);
	/* No daemon follows group 9. */
	assert_int_equal(claim_prompt(MAJOR, MINOR, 9, 1), -1);
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
	claim_init(&holder, MAJOR, MINOR);
	claim_init(&newcomer, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 6, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 6, 0), CLAIM_ASKING);
	wait_readable(holder.fd);
	assert_true((question = claim_take_question(&holder)) >= 0);
	claim_answer(question, 0);
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
	claim_init(&holder, MAJOR, MINOR);
	claim_init(&newcomer, MAJOR, MINOR);
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
	claim_init(&mover, MAJOR, MINOR);
	claim_init(&other, MAJOR, MINOR);
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
	claim_init(&holder, MAJOR, MINOR);
	claim_init(&newcomer, MAJOR, MINOR);
	assert_int_equal(claim_take(&holder, 9, 0), CLAIM_HELD);
	assert_int_equal(claim_take(&newcomer, 9, 0), CLAIM_ASKING);
	assert_int_equal(claim_reply_came(&newcomer, CLAIM_REPLY_MS),
	    CLAIM_ASKING);
	assert_int_equal(newcomer.ask_deadline, 2 * CLAIM_REPLY_MS);
	assert_true(newcomer.ask_fd >= 0);
	claim_release(&holder);
	claim_release(&newcomer);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
