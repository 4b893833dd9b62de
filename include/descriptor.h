/*
 * libdevmapper's group descriptor, kept in the aux_data of a group's lowest
 * region:  DMS_GROUP=<alias>:<members>[#<user aux_data>]
 * with members written as ascending ids and ranges, e.g. 0-4,7,9-10.
 * From 1.02.197 libdevmapper writes the alias in double quotes,
 * DMS_GROUP="<alias>":..., which lets it hold blanks; both forms are read.
 */
#ifndef DMFILEMAPD_DESCRIPTOR_H
#define DMFILEMAPD_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "extents.h"

enum alias_form {
	ALIAS_BARE,		/* DMS_GROUP=alias:  (libdevmapper <= 1.02.196) */
	ALIAS_QUOTED,		/* DMS_GROUP="alias":  (from 1.02.197) */
};

struct descriptor {
	char *alias;		/* without its quotes; may be empty */
	enum alias_form form;	/* how the alias was written */
	uint64_t *members;	/* ascending, no duplicates */
	size_t n_members;
	char *user_aux;		/* after '#', or NULL */
};

enum descriptor_found {
	DESCRIPTOR_NONE,	/* aux holds no descriptor */
	DESCRIPTOR_FOUND,	/* out holds it */
	DESCRIPTOR_UNREADABLE,	/* malformed, or memory ran out reading it */
};

/* Reads the descriptor aux holds, if it holds one; out holds nothing else. */
enum descriptor_found descriptor_parse(const char *aux,
    struct descriptor *out);

/* A new descriptor as a malloc'd string, or NULL when memory runs out. */
char *descriptor_format(enum alias_form form, const char *alias,
    const uint64_t *members, size_t n_members, const char *user_aux);

/*
 * The form a libdevmapper writes, from its version string as
 * dm_get_library_version() gives it ("1.02.205 (2025-02-27)"); one that
 * cannot be read is taken for a newer release.
 */
enum alias_form descriptor_library_form(const char *version);

/*
 * Why alias cannot be written in form so that libdevmapper reads it back
 * and rewrites it unchanged, or NULL when it can.
 */
const char *descriptor_alias_fault(enum alias_form form, const char *alias);

/*
 * The form to rewrite a descriptor found in form found: the installed
 * library's, unless that cannot carry the alias (a blank, found quoted,
 * on a library that writes it bare): then the form it was found in.
 */
enum alias_form descriptor_rewrite_form(enum alias_form library,
    enum alias_form found, const char *alias);

void descriptor_free(struct descriptor *d);

/*
 * The longest @stats_list row, newline included, that libdevmapper can
 * read: 1.02.185 reads each row with fgets() into 4096 bytes, so a longer
 * row is cut before its newline, the rest is read as a row of its own
 * that does not parse, and `dmstats list` fails for the whole device.
 */
#define STATS_LIST_ROW_MAX 4095

/*
 * Whether the leader's @stats_list row fits in STATS_LIST_ROW_MAX with aux
 * as its aux_data.  The kernel prints the row as
 *   <id>: <start>+<len> <step> <program_id> <aux>[ precise_timestamps][ histogram:b1,b2,...]
 * and a newline; leader_id, the leader's range and step are the region's
 * (its step is its length for a one-area region), program_id and options
 * as the kernel lists them (struct listed_region's, options "" or NULL for
 * none).  aux is the descriptor as descriptor_format() returns it: the
 * escapes message_word() adds are taken off by the kernel's argument
 * splitting, so the kernel stores and prints the text unescaped.  A
 * newline in any of the strings would split the row: it never fits.
 * Returns 1 when the row fits, 0 when it does not.  Pure.
 */
int descriptor_row_fits(uint64_t leader_id, const struct range *leader,
    uint64_t step, const char *program_id, const char *aux,
    const char *options);

/*
 * The text as one argument of a device-mapper message: the kernel splits
 * messages at blanks and takes a backslash as escaping the next character.
 */
char *message_word(const char *text);

#endif
