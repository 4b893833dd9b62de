/*
 * One daemon per group.  `dmstats update_filemap` starts a daemon even when
 * one already follows the group; two would plan from the same listing and
 * both create regions for the same new extent.  A daemon therefore claims
 * its group by a name only one process can hold at a time, made of the
 * device and the group id, in a directory where only root may make one.
 *
 * A group id is not forever: the group moves to its lowest region, and a
 * group deleted and another created at once share an id.  So the holder
 * listens on its name, and a daemon that finds the name taken asks the
 * holder, which answers after checking its group: kept (the group at that
 * id is its own) or let go (it no longer leads that id, or is exiting).
 *
 * The same name takes prompts: the device's watcher (watcher.h), having
 * found the group's rows changed in a listing taken after some moment,
 * tells the holder that moment, and the holder checks its group against
 * a listing taken after it.  Who connects says which first: '?' for a
 * question, 'C' and the moment for a prompt.
 */
#ifndef DMFILEMAPD_CLAIM_H
#define DMFILEMAPD_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

/* A claim as the event loop holds it. */
struct claim {
	const char *dir;	/* the claims of every device: DIR/MAJOR:MINOR.daemons/ */
	unsigned int major, minor;	/* the device */
	uint64_t id;		/* the group id held, or wanted */
	int fd;			/* listening on the name: the claim is held */
	int ask_fd;		/* asking the name's holder to let go, or -1 */
	msec_t ask_deadline;	/* when to stop waiting for its reply */
};

enum claim_state {
	CLAIM_HELD,
	CLAIM_ASKING,		/* poll ask_fd, then call claim_reply_came */
	CLAIM_TAKEN,		/* another daemon follows the group at that id */
	CLAIM_FAILED,		/* errno says why */
};

/* Milliseconds a holder has to reply before it is asked again. */
#define CLAIM_REPLY_MS 10000

/* Where claims live: a directory only root may write to. */
#define CLAIM_DIR "/run/dmfilemapd"

void claim_init(struct claim *c, const char *dir, unsigned int major,
    unsigned int minor);

/*
 * Claims group id, letting go of a claim on another id first: binds the
 * name, or asks its holder.
 */
enum claim_state claim_take(struct claim *c, uint64_t id, msec_t now);

/*
 * claim_take, waiting for the holder's reply: for start-up only, when this
 * daemon holds no claim and so no other daemon can be waiting for it.
 */
enum claim_state claim_take_waiting(struct claim *c, uint64_t id);

/*
 * claim_take_waiting at start-up, for the group id on the device named
 * dev_name: CLAIM_HELD, CLAIM_TAKEN when another daemon follows the group
 * (said at VERB_LIFECYCLE), of this version or of an older one still
 * running, or CLAIM_FAILED.
 */
enum claim_state claim_at_start(struct claim *c, uint64_t id,
    const char *dev_name);

/* The holder's reply, once ask_fd polls readable or the deadline passed. */
enum claim_state claim_reply_came(struct claim *c, msec_t now);

/* The group id held, or asked for. */
uint64_t claim_id(const struct claim *c);

/* Whether the claim is held: this daemon may work on the group. */
bool claim_held(const struct claim *c);

/* When to stop waiting for the holder asked, or NEVER when none is. */
msec_t claim_reply_due(const struct claim *c);

/*
 * The fds the loop polls: the one others' questions come on, and the one
 * the reply of the holder asked comes on; -1 when there is none.
 */
int claim_question_fd(const struct claim *c);
int claim_reply_fd(const struct claim *c);

/*
 * Takes a question from another daemon: its fd, or -1 with errno set
 * (EAGAIN: none; EPERM: one not to be trusted, turned away).
 */
int claim_take_question(const struct claim *c);

/*
 * What the one connected on fd (claim_take_question) says: 1 for a
 * prompt, with the moment its listing was taken after in *seen (on the
 * monotonic clock of every process), 0 for a question.  Waits a moment
 * for it: saying nothing is asking.
 */
int claim_read_request(int fd, nsec_t *seen);

/*
 * Prompts the holder of group id on the device to check its group
 * against a listing taken after seen.  Returns 0, or -1 with errno
 * (ECONNREFUSED: no daemon follows that group).
 */
int claim_prompt(const char *dir, unsigned int major, unsigned int minor,
    uint64_t id, nsec_t seen);

/* What a holder answers a question. */
enum claim_reply {
	CLAIM_KEPT,		/* it follows the group at that id */
	CLAIM_LET_GO,		/* it does not, or is exiting */
};

/* Answers a question and closes its fd. */
void claim_answer(int fd, enum claim_reply reply);

/* Lets go of the claim: another daemon asking for it may take it. */
void claim_release(struct claim *c);

#endif
