/*
 * libFuzzer target: group descriptors in aux_data.  A descriptor read must
 * hold the alias (inside its quotes when it is quoted) and user data
 * exactly as they stand in the text, at least
 * one member, by strictly ascending id; written out by descriptor_format,
 * it must read back the same, and writing that again must give the same
 * text.  message_word must escape every blank and backslash of it.
 */
#include <ctype.h>

#include "descriptor.h"
#include "fuzz.h"

#define TAG "DMS_GROUP="

static void
check_empty(const struct descriptor *d)
{
	CHECK(d->alias == NULL && d->members == NULL && d->n_members == 0 &&
	    d->user_aux == NULL);
}

static void
check_same(const struct descriptor *a, const struct descriptor *b)
{
	CHECK(strcmp(a->alias, b->alias) == 0 && a->form == b->form);
	CHECK(a->n_members == b->n_members);
	CHECK(memcmp(a->members, b->members,
	    a->n_members * sizeof(*a->members)) == 0);
	/* No user data is written as "-", as libdevmapper writes it. */
	CHECK(strcmp(a->user_aux ? a->user_aux : "-", b->user_aux) == 0);
}

/* Undoes message_word, checking that nothing the kernel splits at is bare. */
static void
check_word(const char *text)
{
	char *word = message_word(text), *plain, *p;
	const char *w;

	CHECK(word != NULL);
	p = plain = malloc(strlen(word) + 1);
	CHECK(plain != NULL);
	for (w = word; *w != '\0'; w++) {
		CHECK(!isspace((unsigned char)*w));
		if (*w == '\\') {
			w++;
			CHECK(*w != '\0');
		}
		*p++ = *w;
	}
	*p = '\0';
	CHECK(strcmp(plain, text) == 0);
	free(plain);
	free(word);
}

static void
check_read(const char *tag, const struct descriptor *d)
{
	const char *alias = tag + strlen(TAG), *after, *hash;
	size_t i, alias_len = strlen(d->alias);
	int quoted = d->form == ALIAS_QUOTED;

	CHECK(d->form == ALIAS_BARE || quoted);
	CHECK(!quoted || *alias++ == '"');
	CHECK(strncmp(alias, d->alias, alias_len) == 0);
	after = alias + alias_len;
	CHECK(!quoted || *after++ == '"');
	CHECK(*after == ':');
	CHECK(strchr(d->alias, ':') == NULL);
	/* A bare alias between quotes would have been read as quoted. */
	CHECK(quoted || alias_len < 2 || d->alias[0] != '"' ||
	    d->alias[alias_len - 1] != '"');
	hash = strchr(after, '#');
	if (hash == NULL)
		CHECK(d->user_aux == NULL);
	else
		CHECK(d->user_aux != NULL && strcmp(d->user_aux, hash + 1) == 0);
	CHECK(d->n_members > 0 && d->members != NULL);
	for (i = 1; i < d->n_members; i++)
		CHECK(d->members[i - 1] < d->members[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *aux = fuzz_string(data, size), *text, *again;
	const char *tag = strstr(aux, TAG);
	struct descriptor d, e;
	enum descriptor_found r = descriptor_parse(aux, &d);

	if (r != DESCRIPTOR_FOUND) {
		CHECK(r == DESCRIPTOR_NONE || r == DESCRIPTOR_UNREADABLE);
		CHECK((r == DESCRIPTOR_NONE) == (tag == NULL));
		check_empty(&d);
		free(aux);
		return 0;
	}
	CHECK(tag != NULL);
	check_read(tag, &d);
	text = descriptor_format(d.form, d.alias, d.members, d.n_members,
	    d.user_aux);
	CHECK(text != NULL);
	CHECK(strncmp(text, TAG, strlen(TAG)) == 0);
	CHECK(descriptor_parse(text, &e) == DESCRIPTOR_FOUND);
	check_same(&d, &e);
	again = descriptor_format(e.form, e.alias, e.members, e.n_members,
	    e.user_aux);
	CHECK(again != NULL && strcmp(again, text) == 0);
	check_word(text);
	descriptor_free(&e);
	descriptor_free(&d);
	check_empty(&d);
	free(again);
	free(text);
	free(aux);
	return 0;
}
