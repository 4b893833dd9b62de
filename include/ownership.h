/*
 * Which regions a daemon can prove are its group's.  A group id alone
 * proves nothing: the kernel hands out the lowest free id, so a group
 * deleted and another created at once share it.  The group is ours only
 * while the kernel's listing is explained by what this daemon last read
 * or wrote; and a region it creates carries a tag naming the group and
 * the file, so that a later daemon of the same group can tell the regions
 * a killed one left from anybody else's.  Pure: it reads listings only.
 */
#ifndef DMFILEMAPD_OWNERSHIP_H
#define DMFILEMAPD_OWNERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "fault.h"
#include "listing.h"
#include "plan.h"

/* What the daemon knows of its group. */
struct known_group {
	uint64_t id;			/* the leader's region id */
	const char *descriptor;		/* the leader's aux_data, as last read or written */
	const char *program_id;		/* the leader's */
	const char *options;		/* the leader's precise/histogram words */
	const struct region *members;	/* present at the last look, ascending id */
	size_t n_members;
};

enum ownership {
	OWNED,		/* the listing is what the daemon left, less deleted members */
	UNGROUPED,	/* no region has the id, or it leads no group */
	FOREIGN,	/* the id leads a group the daemon did not make */
};

/*
 * Compares the listing with what the daemon knows.  The leader must carry
 * the very descriptor the daemon last saw, or that descriptor less some
 * members (as `dmstats delete --regionid` leaves it), with the same program and
 * settings, and every member still listed must have the range the daemon
 * knows it by.  For FOREIGN, writes into f what is not explained.
 */
enum ownership ownership_check(const struct listing *listing,
    const struct known_group *g, struct fault *f);

/* Longest tag ownership_tag writes, with its NUL. */
#define OWNERSHIP_TAG_MAX 64

/* The aux_data of a region created for group leader on the file with inode ino. */
void ownership_tag(char *buf, size_t len, uint64_t leader, uint64_t ino);

/*
 * Writes into orphans (room for listing->count ids) the regions carrying
 * tag that no group's descriptor in the listing names, ascending; returns
 * how many, or -1 with errno set: EBADMSG when a descriptor cannot be
 * read (it might name any region), ENOMEM.  The listing must hold every
 * program's regions.
 */
long ownership_orphans(const struct listing *listing, const char *tag,
    uint64_t *orphans);

/*
 * The first member that does not lie within one of the file's device
 * ranges (normalized, as a file map holds them), or n_members when every
 * one does: a group that counts nothing but the file's I/O, whoever made
 * it.
 */
size_t ownership_outside_file(const struct region *members,
    size_t n_members, const struct range *file, size_t n_file);

/* What a group made for a file by --create has, as the kernel lists it. */
struct file_group_settings {
	const char *program_id;
	const char *options;	/* "precise_timestamps", "histogram:...", both, or "" */
	const char *alias;
};

enum file_group {
	FILE_GROUP_NONE,
	FILE_GROUP_FOUND,	/* *id is its leader */
	FILE_GROUP_FAILED,	/* memory ran out: errno ENOMEM */
};

/*
 * Finds the group on the device that is the file's own (the lowest id
 * first): led by a region of want's program and options, named want's
 * alias, its every member listed and within the file's ranges
 * (ownership_outside_file).
 */
enum file_group ownership_file_group(const struct listing *listing,
    const struct range *file, size_t n_file,
    const struct file_group_settings *want, uint64_t *id);

#endif
