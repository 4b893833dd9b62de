/*
 * The claim is an abstract unix socket bound to a name made of the device
 * and the group id: the kernel lets one socket hold a name, frees it when
 * the holder exits however it exits, and leaves no file behind.  Any local
 * process can reach an abstract name, so only a peer running as root or
 * as this daemon's user is believed or answered.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "claim.h"
#include "log.h"
#include "sources.h"

#define REPLY_KEPT 'K'
#define REPLY_LET_GO 'L'
/* What one who connects says first: a question, or a prompt and its time. */
#define REQUEST_QUESTION '?'
#define REQUEST_PROMPT 'C'
#define PROMPT_LEN (1 + sizeof(int64_t))
/* How long a holder waits for what one who connected says (ms). */
#define REQUEST_WAIT_MS 1000
/* Binds and asks in a row before waiting for the next event. */
#define TAKE_TRIES 20

static socklen_t
claim_address(struct sockaddr_un *addr, const struct claim *c, uint64_t id)
{
	int n;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	/* A leading NUL puts the name in the abstract namespace. */
	n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1,
	    "dmfilemapd/%u:%u/%" PRIu64, c->major, c->minor, id);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)n);
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
 * A socket bound to the claim's name on id (listening, as its holder), or
 * connected to it (asking its holder); -1 with errno: EADDRINUSE when
 * another holds the name, ECONNREFUSED when none listens on it.
 */
static int
claim_socket(const struct claim *c, uint64_t id, int as_holder)
{
	struct sockaddr_un addr;
	socklen_t len = claim_address(&addr, c, id);
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (as_holder) {
		if (bind(fd, (struct sockaddr *)&addr, len) != 0 ||
		    listen(fd, SOMAXCONN) != 0)
			return close_keeping_errno(fd);
		return fd;
	}
	/* A unix socket connects at once, or is refused: no EINPROGRESS. */
	if (connect(fd, (struct sockaddr *)&addr, len) != 0)
		return close_keeping_errno(fd);
	if (!peer_trusted(fd)) {
		errno = EPERM;
		return close_keeping_errno(fd);
	}
	return fd;
}

void
claim_init(struct claim *c, unsigned int major, unsigned int minor)
{
	memset(c, 0, sizeof(*c));
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
	stop_asking(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

enum claim_state
claim_take(struct claim *c, uint64_t id, int64_t now)
{
	int tries;

	if (c->fd >= 0 && c->id == id)
		return CLAIM_HELD;
	claim_release(c);
	c->id = id;
	/* A holder that lets go between our bind and our connect: again. */
	for (tries = 0; tries < TAKE_TRIES; tries++) {
		if ((c->fd = claim_socket(c, id, 1)) >= 0)
			return CLAIM_HELD;
		if (errno != EADDRINUSE)
			return CLAIM_FAILED;
		if ((c->ask_fd = claim_socket(c, id, 0)) >= 0) {
			c->ask_deadline = now + CLAIM_REPLY_MS;
			/* A fresh socket has room for one byte. */
			if (write(c->ask_fd, &(char){ REQUEST_QUESTION }, 1) == 1)
				return CLAIM_ASKING;
			stop_asking(c);
			return CLAIM_FAILED;
		}
		if (errno != ECONNREFUSED)
			return CLAIM_FAILED;
	}
	errno = EADDRINUSE;
	return CLAIM_FAILED;
}

enum claim_state
claim_reply_came(struct claim *c, int64_t now)
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

enum claim_state
claim_take_waiting(struct claim *c, uint64_t id)
{
	enum claim_state state = claim_take(c, id, now_ms());
	struct pollfd pfd;
	int64_t left;

	while (state == CLAIM_ASKING) {
		/* A holder too busy to answer in time still follows the group. */
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

int
claim_at_start(struct claim *c, uint64_t id, const char *dev_name, char *err,
    size_t errlen)
{
	switch (claim_take_waiting(c, id)) {
	case CLAIM_HELD:
		return 0;
	case CLAIM_TAKEN:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " on %s is already "
		    "followed by another dmfilemapd: nothing to do", id,
		    dev_name);
		return 1;
	default:
		snprintf(err, errlen, "cannot claim group %" PRIu64 ": %s", id,
		    strerror(errno));
		return -1;
	}
}

int
claim_take_question(const struct claim *c)
{
	int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0 && !peer_trusted(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
claim_prompt(unsigned int major, unsigned int minor, uint64_t id, int64_t seen)
{
	struct claim to;
	char prompt[PROMPT_LEN];
	int fd;
	ssize_t n;

	claim_init(&to, major, minor);
	if ((fd = claim_socket(&to, id, 0)) < 0)
		return -1;
	prompt[0] = REQUEST_PROMPT;
	memcpy(prompt + 1, &seen, sizeof(seen));
	n = write(fd, prompt, sizeof(prompt));
	close(fd);
	return n == (ssize_t)sizeof(prompt) ? 0 : -1;
}

int
claim_read_request(int fd, int64_t *seen)
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
claim_answer(int fd, int kept)
{
	char reply = kept ? REPLY_KEPT : REPLY_LET_GO;
	/* An asker that went away needs no answer. */
	ssize_t n = write(fd, &reply, 1);

	(void)n;
	close(fd);
}
