/*
 * The claim is a unix socket at DIR/MAJOR:MINOR.daemons/ID, the device
 * and the group id, held by whoever listens on it: the kernel refuses
 * connections to it as soon as the holder exits, however it exits.  Only
 * root may make files there, so no other local user can take or block a
 * claim.  Who binds a claim's socket, or removes one, holds the lock file
 * beside it for that moment, so that a socket found refused and replaced
 * is never one another daemon has just bound.  A peer that is not root or
 * this daemon's user is neither believed nor answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "claim.h"
#include "log.h"

#define REPLY_KEPT 'K'
#define REPLY_LET_GO 'L'
/* What one who connects says first: a question, or a prompt and its time. */
#define REQUEST_QUESTION '?'
#define REQUEST_PROMPT 'C'
#define PROMPT_LEN (1 + sizeof(int64_t))
/* How long a holder waits for what one who connected says (ms). */
#define REQUEST_WAIT_MS 1000

/* The claim's socket, DIR/MAJOR:MINOR.daemons/ID; -1 with ENAMETOOLONG. */
static int
claim_address(struct sockaddr_un *addr, const char *dir, unsigned int major,
    unsigned int minor, uint64_t id)
{
	int n;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	n = snprintf(addr->sun_path, sizeof(addr->sun_path),
	    "%s/%u:%u.daemons/%" PRIu64, dir, major, minor, id);
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
close_keeping_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

static int
peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.uid == 0 || cred.uid == geteuid();
}

/*
 * Makes path a directory if there is none, and checks that only this
 * daemon's user may make files in it: EPERM when another may.
 */
static int
private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * The device's claims' lock, held (it is held for a moment at a time: a
 * wait for it is short); -1 with errno, EPERM when another user than
 * this daemon's may write to the directories.
 */
static int
lock_device(const struct claim *c)
{
	char path[PATH_MAX];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%u:%u.daemons", c->dir, c->major,
	    c->minor);
	if (n < 0 || (size_t)n + sizeof("/lock") > sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (private_dir(c->dir) != 0 || private_dir(path) != 0)
		return -1;
	strcat(path, "/lock");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return close_keeping_errno(fd);
	return fd;
}

/*
 * Listens on the claim's socket, in place of one that nobody listens on
 * (a killed holder's), under the device's lock.
 */
static int
listen_claim(const struct claim *c, uint64_t id)
{
	struct sockaddr_un addr;
	int fd;

	if (claim_address(&addr, c->dir, c->major, c->minor, id) != 0)
		return -1;
	if (unlink(addr.sun_path) != 0 && errno != ENOENT)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(addr.sun_path, 0600) != 0 || listen(fd, SOMAXCONN) != 0)
		return close_keeping_errno(fd);
	return fd;
}

/*
 * A socket connected to the holder of the claim on id, if it is root or
 * this daemon's user; -1 with errno: ECONNREFUSED when none listens.
 */
static int
ask_socket(const char *dir, unsigned int major, unsigned int minor,
    uint64_t id)
{
	struct sockaddr_un addr;
	int fd;

	if (claim_address(&addr, dir, major, minor, id) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* A unix socket connects at once, or is refused: no EINPROGRESS. */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		if (errno == ENOENT)
			errno = ECONNREFUSED;
		return close_keeping_errno(fd);
	}
	if (!peer_trusted(fd)) {
		errno = EPERM;
		return close_keeping_errno(fd);
	}
	return fd;
}

void
claim_init(struct claim *c, const char *dir, unsigned int major,
    unsigned int minor)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->major = major;
	c->minor = minor;
	c->fd = c->ask_fd = -1;
}

static void
stop_asking(struct claim *c)
{
	if (c->ask_fd >= 0)
		close(c->ask_fd);
	c->ask_fd = -1;
}

void
claim_release(struct claim *c)
{
	struct sockaddr_un addr;
	int lock;

	stop_asking(c);
	if (c->fd < 0)
		return;
	/*
	 * While it listens, nobody replaces the socket: it is still ours
	 * to remove.  Left behind, the next holder would remove it.
	 */
	if ((lock = lock_device(c)) >= 0) {
		if (claim_address(&addr, c->dir, c->major, c->minor,
		    c->id) == 0)
			unlink(addr.sun_path);
		close(lock);
	}
	close(c->fd);
	c->fd = -1;
}

enum claim_state
claim_take(struct claim *c, uint64_t id, msec_t now)
{
	int lock;

	if (c->fd >= 0 && c->id == id)
		return CLAIM_HELD;
	claim_release(c);
	c->id = id;
	if ((lock = lock_device(c)) < 0)
		return CLAIM_FAILED;
	if ((c->ask_fd = ask_socket(c->dir, c->major, c->minor, id)) >= 0) {
		close(lock);
		c->ask_deadline = now + CLAIM_REPLY_MS;
		/* A fresh socket has room for one byte. */
		if (write(c->ask_fd, &(char){ REQUEST_QUESTION }, 1) == 1)
			return CLAIM_ASKING;
		stop_asking(c);
		return CLAIM_FAILED;
	}
	if (errno == ECONNREFUSED)
		c->fd = listen_claim(c, id);
	close_keeping_errno(lock);
	return c->fd >= 0 ? CLAIM_HELD : CLAIM_FAILED;
}

enum claim_state
claim_reply_came(struct claim *c, msec_t now)
{
	char reply;
	ssize_t n;

	n = read(c->ask_fd, &reply, 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		if (now < c->ask_deadline)
			return CLAIM_ASKING;
		/* A holder busy for that long is asked again. */
		stop_asking(c);
		return claim_take(c, c->id, now);
	}
	stop_asking(c);
	if (n == 1 && reply == REPLY_KEPT)
		return CLAIM_TAKEN;
	/* Let go, or the holder's end closed: it exited. */
	return claim_take(c, c->id, now);
}

uint64_t
claim_id(const struct claim *c)
{
	return c->id;
}

bool
claim_held(const struct claim *c)
{
	return c->fd >= 0;
}

msec_t
claim_reply_due(const struct claim *c)
{
	return c->ask_fd >= 0 ? c->ask_deadline : NEVER;
}

int
claim_question_fd(const struct claim *c)
{
	return c->fd;
}

int
claim_reply_fd(const struct claim *c)
{
	return c->ask_fd;
}

enum claim_state
claim_take_waiting(struct claim *c, uint64_t id)
{
	enum claim_state state = claim_take(c, id, now_ms());
	struct pollfd pfd;
	msec_t left;

	while (state == CLAIM_ASKING) {
		/* A holder too busy to answer in time follows the group. */
		if ((left = c->ask_deadline - now_ms()) <= 0) {
			stop_asking(c);
			return CLAIM_TAKEN;
		}
		pfd.fd = c->ask_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return CLAIM_FAILED;
		state = claim_reply_came(c, now_ms());
	}
	return state;
}

/*
 * A daemon of an older version, still running, claims its group by the
 * abstract name @dmfilemapd/MAJOR:MINOR/ID, which any process may bind:
 * only root's is asked.  Returns 1 when it answers that it follows the
 * group at id.
 */
static int
older_daemon_keeps(const struct claim *c, uint64_t id)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	socklen_t len;
	char reply = 0;
	int fd, n;

	/* A leading NUL puts the name in the abstract namespace. */
	n = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
	    "dmfilemapd/%u:%u/%" PRIu64, c->major, c->minor, id);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)n);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&addr, len) == 0 &&
	    peer_trusted(fd) &&
	    write(fd, &(char){ REQUEST_QUESTION }, 1) == 1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, CLAIM_REPLY_MS) != 1 ||
		    read(fd, &reply, 1) != 1)
			reply = 0;
	}
	close(fd);
	return reply == REPLY_KEPT;
}

enum claim_state
claim_at_start(struct claim *c, uint64_t id, const char *dev_name)
{
	enum claim_state state = claim_take_waiting(c, id);

	if (state == CLAIM_HELD && older_daemon_keeps(c, id)) {
		claim_release(c);
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " on %s is already "
		    "followed by a dmfilemapd of an older version: nothing to "
		    "do", id, dev_name);
		return CLAIM_TAKEN;
	}
	if (state == CLAIM_TAKEN)
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " on %s is already "
		    "followed by another dmfilemapd: nothing to do", id,
		    dev_name);
	return state;
}

int
claim_take_question(const struct claim *c)
{
	int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0 && !peer_trusted(fd)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
claim_prompt(const char *dir, unsigned int major, unsigned int minor,
    uint64_t id, nsec_t seen)
{
	char prompt[PROMPT_LEN];
	int fd;
	ssize_t n;

	if ((fd = ask_socket(dir, major, minor, id)) < 0)
		return -1;
	prompt[0] = REQUEST_PROMPT;
	memcpy(prompt + 1, &seen, sizeof(seen));
	n = write(fd, prompt, sizeof(prompt));
	if (n == (ssize_t)sizeof(prompt)) {
		close(fd);
		return 0;
	}
	if (n >= 0)
		errno = EIO;	/* cut short */
	return close_keeping_errno(fd);
}

int
claim_read_request(int fd, nsec_t *seen)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char request[PROMPT_LEN];
	ssize_t n = 0;

	if (poll(&pfd, 1, REQUEST_WAIT_MS) == 1)
		n = recv(fd, request, sizeof(request), MSG_WAITALL);
	if (n != (ssize_t)sizeof(request) || request[0] != REQUEST_PROMPT)
		return 0;
	memcpy(seen, request + 1, sizeof(*seen));
	return 1;
}

void
claim_answer(int fd, enum claim_reply reply)
{
	char byte = reply == CLAIM_KEPT ? REPLY_KEPT : REPLY_LET_GO;
	/* An asker that went away needs no answer. */
	ssize_t n = write(fd, &byte, 1);

	(void)n;
	close(fd);
}
