/*
 * dm-stats messages: each formatted here and sent by the device's send
 * function (devmapper.c, or the unit tests' model).  The kernel splits a
 * message at blanks and takes a backslash as escaping the next character,
 * so every word that may hold blanks goes through message_word().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "decimal.h"
#include "descriptor.h"
#include "log.h"
#include "stats.h"

/*
 * Sends one message.  On success returns 0 and, when answer is not NULL,
 * a malloc'd copy of the kernel's answer; on failure -1 with errno set.
 */
static int
send_message(const struct stats_device *dev, char **answer,
    const char *fmt, ...)
{
	char *message;
	va_list ap;
	int n, r, err;

	va_start(ap, fmt);
	n = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = dev->send(dev, message, answer);
	err = errno;
	/* What failed, and why, the caller's decision says. */
	log_info(VERB_DEBUG, "message '%s': %s", message,
	    r != 0 ? "failed" : "ok");
	free(message);
	errno = err;
	return r;
}

void
stats_device_close(struct stats_device *dev)
{
	free(dev->name);
	dev->name = NULL;
}

void
stats_expect_list(struct stats_device *dev, size_t bytes)
{
	dev->list_expect = bytes;
}

int
stats_list_text(const struct stats_device *dev, const char *program_id,
    char **answer)
{
	char *word;
	int r;

	if ((word = message_word(program_id)) == NULL)
		return -1;
	r = send_message(dev, answer, "@stats_list%s%s", *word ? " " : "",
	    word);
	free(word);
	return r;
}

int
stats_list(const struct stats_device *dev, const char *program_id,
    struct listing *out)
{
	char *answer;
	int r;

	if (stats_list_text(dev, program_id, &answer) != 0)
		return -1;
	r = listing_parse(answer, out);
	free(answer);
	return r;
}

int
stats_create(const struct stats_device *dev, const struct range *range,
    const char *options, int n_options, const char *program_id,
    const char *aux, uint64_t *id)
{
	char *answer, *program, *word;
	int r = -1;

	program = message_word(program_id);
	word = message_word(aux);
	/*
	 * The option count is always given: without it the kernel would take
	 * an all-digit program_id for the count.
	 */
	if (program == NULL || word == NULL)
		errno = ENOMEM;
	else
		r = send_message(dev, &answer, "@stats_create %" PRIu64 "+%"
		    PRIu64 " /1 %d%s%s %s %s", range->start, range->len,
		    n_options, n_options ? " " : "", n_options ? options : "",
		    program, word);
	free(program);
	free(word);
	if (r != 0)
		return -1;
	/* The caller logs the failure: an answer that is no id is EPROTO. */
	if (decimal_read(answer, id) == NULL) {
		errno = EPROTO;
		r = -1;
	}
	free(answer);
	return r;
}

int
stats_delete(const struct stats_device *dev, uint64_t id)
{
	return send_message(dev, NULL, "@stats_delete %" PRIu64, id);
}

int
stats_set_aux(const struct stats_device *dev, uint64_t id, const char *aux)
{
	char *word;
	int r;

	if ((word = message_word(aux)) == NULL)
		return -1;
	r = send_message(dev, NULL, "@stats_set_aux %" PRIu64 " %s", id, word);
	free(word);
	return r;
}

int
stats_heat(const struct stats_device *dev, uint64_t id, uint64_t *heat)
{
	unsigned long long reads, writes;
	char *answer;
	int n;

	if (send_message(dev, &answer, "@stats_print %" PRIu64, id) != 0)
		return -1;
	/* <start>+<step> reads merged sectors ms writes merged sectors ms ... */
	n = sscanf(answer, "%*u+%*u %llu %*u %*u %*u %llu", &reads, &writes);
	free(answer);
	if (n != 2) {
		errno = EPROTO;
		return -1;
	}
	*heat = reads + writes;
	return 0;
}
