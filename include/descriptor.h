/*
 * libdevmapper's group descriptor, kept in the aux_data of a group's lowest
 * region:  DMS_GROUP=<alias>:<members>[#<user aux_data>]
 * with members written as ascending ids and ranges, e.g. 0-4,7,9-10.
 */
#ifndef DMFILEMAPD_DESCRIPTOR_H
#define DMFILEMAPD_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

struct descriptor {
	char *alias;		/* may be empty, may hold blanks */
	uint64_t *members;	/* ascending, no duplicates */
	size_t n_members;
	char *user_aux;		/* after '#', or NULL */
};

/* Returns 1 when aux holds a descriptor, 0 when it holds none, -1 when it is malformed or memory ran out. */
int descriptor_parse(const char *aux, struct descriptor *out);

/* A new descriptor as a malloc'd string, or NULL when memory runs out. */
char *descriptor_format(const char *alias, const uint64_t *members,
    size_t n_members, const char *user_aux);

void descriptor_free(struct descriptor *d);

/*
 * The text as one argument of a device-mapper message: the kernel splits
 * messages at blanks and takes a backslash as escaping the next character.
 */
char *message_word(const char *text);

#endif
