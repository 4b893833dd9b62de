/*
 * hold-names NAME...: binds and listens on each NAME as an abstract unix
 * socket (what a local user may do with any name), prints "held" once all
 * are bound, then accepts and drops whatever connects until killed.  The
 * VM tests run it as an unprivileged user against the daemon's claims.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NAMES_MAX 64

int
main(int argc, char *argv[])
{
	struct sockaddr_un addr;
	int fds[NAMES_MAX], i, n = argc - 1;
	size_t len;

	if (n < 1 || n > NAMES_MAX) {
		fprintf(stderr, "usage: hold-names NAME... (at most %d)\n",
		    NAMES_MAX);
		return 2;
	}
	for (i = 0; i < n; i++) {
		memset(&addr, 0, sizeof(addr));
		addr.sun_family = AF_UNIX;
		len = strlen(argv[i + 1]);
		if (len + 1 > sizeof(addr.sun_path))
			return 2;
		/* A leading NUL puts the name in the abstract namespace. */
		memcpy(addr.sun_path + 1, argv[i + 1], len);
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&addr,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		    len)) != 0 || listen(fds[i], 16) != 0) {
			perror(argv[i + 1]);
			return 1;
		}
	}
	printf("held\n");
	fflush(stdout);
	/* Whoever connects to the first name gets nothing. */
	for (;;) {
		int fd = accept(fds[0], NULL, NULL);

		if (fd >= 0)
			close(fd);
	}
}
