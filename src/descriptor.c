/*
 * Reading and writing libdevmapper's group descriptor.  The alias ends at
 * the first ':' and the member list at the first '#', as every libdevmapper
 * reads them; whatever follows '#' belongs to the user and is kept
 * verbatim.  From 1.02.197 the alias stands in double quotes, and the
 * library takes the characters after "DMS_GROUP=" and before the colon for
 * them without looking: an alias is read as quoted when both are quotes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "descriptor.h"
#include "extents.h"

#define TAG "DMS_GROUP="
#define QUOTE '"'
/* The first libdevmapper release that quotes the alias: 1.02.197. */
#define QUOTING_MAJOR 1
#define QUOTING_MINOR 2
#define QUOTING_PATCH 197
/*
 * A member list longer than any device could hold regions for is a corrupt
 * descriptor, not a request to allocate billions of ids.  The bound is on
 * the whole list, not on each range: ranges that touch are written back as
 * one, which must read back too.
 */
#define MEMBERS_MAX (1u << 24)

static int
read_id(const char **s, uint64_t *out)
{
	const char *end = decimal_read(*s, out);

	if (end == NULL)
		return -1;
	*s = end;
	return 0;
}

static int
append_id(struct descriptor *d, size_t *capacity, uint64_t id)
{
	uint64_t *grown;

	if (d->n_members == *capacity) {
		*capacity = *capacity ? *capacity * 2 : 16;
		grown = realloc(d->members, *capacity * sizeof(*grown));
		if (grown == NULL)
			return -1;
		d->members = grown;
	}
	d->members[d->n_members++] = id;
	return 0;
}

/* Reads "0-4,7,9-10" up to end into ascending, distinct ids. */
static int
parse_members(const char *s, const char *end, struct descriptor *d)
{
	size_t capacity = 0, i, n;
	uint64_t first, last, id;

	while (s < end) {
		if (read_id(&s, &first) != 0)
			return -1;
		last = first;
		if (*s == '-') {
			s++;
			if (read_id(&s, &last) != 0 || last < first ||
			    last - first >= MEMBERS_MAX)
				return -1;
		}
		for (id = first; ; id++) {
			if (d->n_members == MEMBERS_MAX ||
			    append_id(d, &capacity, id) != 0)
				return -1;
			if (id == last)
				break;
		}
		if (s < end && *s++ != ',')
			return -1;
	}
	if (s != end || d->n_members == 0)
		return -1;
	/* As libdevmapper and descriptor_format write them: nothing to sort. */
	for (i = 1; i < d->n_members && d->members[i - 1] < d->members[i]; i++)
		;
	if (i == d->n_members)
		return 0;
	qsort(d->members, d->n_members, sizeof(*d->members), compare_ids);
	for (i = 1, n = 1; i < d->n_members; i++)
		if (d->members[i] != d->members[n - 1])
			d->members[n++] = d->members[i];
	d->n_members = n;
	return 0;
}

enum descriptor_found
descriptor_parse(const char *aux, struct descriptor *out)
{
	const char *alias, *alias_end, *colon, *list_end, *hash;

	memset(out, 0, sizeof(*out));
	if ((alias = strstr(aux, TAG)) == NULL)
		return DESCRIPTOR_NONE;
	alias += strlen(TAG);
	if ((colon = strchr(alias, ':')) == NULL)
		return DESCRIPTOR_UNREADABLE;
	alias_end = colon;
	if (*alias == QUOTE && colon - alias >= 2 && colon[-1] == QUOTE) {
		out->form = ALIAS_QUOTED;
		alias++;
		alias_end--;
	}
	hash = strchr(colon, '#');
	list_end = hash ? hash : colon + strlen(colon);
	out->alias = strndup(alias, (size_t)(alias_end - alias));
	if (hash != NULL)
		out->user_aux = strdup(hash + 1);
	if (out->alias == NULL || (hash != NULL && out->user_aux == NULL) ||
	    parse_members(colon + 1, list_end, out) != 0) {
		descriptor_free(out);
		return DESCRIPTOR_UNREADABLE;
	}
	return DESCRIPTOR_FOUND;
}

/* Prints ids as ranges: 0,1,2,3,4,7 becomes 0-4,7. */
static size_t
format_members(char *buf, size_t size, const uint64_t *ids, size_t n)
{
	size_t i = 0, j, used = 0;
	int w;

	while (i < n) {
		/* Only measuring (buf NULL): NULL + used would be undefined. */
		char *at = buf != NULL ? buf + used : NULL;

		for (j = i; j + 1 < n && ids[j + 1] == ids[j] + 1; j++)
			;
		if (j == i)
			w = snprintf(at, size > used ? size - used : 0,
			    "%s%" PRIu64, i ? "," : "", ids[i]);
		else
			w = snprintf(at, size > used ? size - used : 0,
			    "%s%" PRIu64 "-%" PRIu64, i ? "," : "", ids[i],
			    ids[j]);
		used += (size_t)w;
		i = j + 1;
	}
	return used;
}

char *
descriptor_format(enum alias_form form, const char *alias,
    const uint64_t *members, size_t n, const char *user_aux)
{
	size_t list_len = format_members(NULL, 0, members, n);
	const char *quote = form == ALIAS_QUOTED ? "\"" : "";
	size_t size;
	char *text;
	size_t used;

	/*
	 * libdevmapper 1.02.185 cuts the last character off an aux_data that
	 * precise_timestamps or histogram options follow, and reads past the
	 * end of a member list that no '#' ends: so '#' is always written,
	 * with "-" standing for no user data, as libdevmapper writes it.
	 */
	if (user_aux == NULL)
		user_aux = "-";
	size = strlen(TAG) + 2 * strlen(quote) + strlen(alias) + 1 +
	    list_len + 1 + strlen(user_aux) + 1;
	if ((text = malloc(size)) == NULL)
		return NULL;
	used = (size_t)snprintf(text, size, "%s%s%s%s:", TAG, quote, alias,
	    quote);
	used += format_members(text + used, size - used, members, n);
	snprintf(text + used, size - used, "#%s", user_aux);
	return text;
}

enum alias_form
descriptor_library_form(const char *version)
{
	unsigned int major, minor, patch;

	if (sscanf(version, "%u.%u.%u", &major, &minor, &patch) != 3)
		return ALIAS_QUOTED;
	if (major != QUOTING_MAJOR)
		return major > QUOTING_MAJOR ? ALIAS_QUOTED : ALIAS_BARE;
	if (minor != QUOTING_MINOR)
		return minor > QUOTING_MINOR ? ALIAS_QUOTED : ALIAS_BARE;
	return patch >= QUOTING_PATCH ? ALIAS_QUOTED : ALIAS_BARE;
}

/*
 * What each form carries, as libdevmapper reads and rewrites it: neither
 * form can hold the ':' that ends the alias or the '#' that ends the list;
 * the bare form is split at a blank by 1.02.185's dmstats (a space) or
 * sent unescaped when rewritten (a tab, a backslash), and a bare alias
 * between quotes would be read as a quoted one.  The quoted form escapes
 * blanks and backslashes in every message.
 */
const char *
descriptor_alias_fault(enum alias_form form, const char *alias)
{
	const char *c;

	if (*alias == '\0')
		return "is empty";
	for (c = alias; *c != '\0'; c++) {
		if (*c == ':' || *c == '#')
			return "holds ':' or '#', which end an alias in the "
			    "group descriptor";
		if (form == ALIAS_QUOTED && *c == '\t')
			continue;
		if (form == ALIAS_BARE && (*c == ' ' || *c == '\t'))
			return "holds a blank, which this libdevmapper's "
			    "dmstats cannot read back (a space) or rewrite "
			    "(a tab)";
		if (form == ALIAS_BARE && *c == '\\')
			return "holds a backslash, which this libdevmapper's "
			    "dmstats cannot rewrite";
		if (form == ALIAS_BARE && *c == QUOTE)
			return "holds a double quote, which newer "
			    "libdevmapper releases take for the alias's own";
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			return "holds a control character";
	}
	return NULL;
}

enum alias_form
descriptor_rewrite_form(enum alias_form library, enum alias_form found,
    const char *alias)
{
	if (library == ALIAS_BARE && found == ALIAS_QUOTED &&
	    descriptor_alias_fault(ALIAS_BARE, alias) != NULL)
		return ALIAS_QUOTED;
	return library;
}

void
descriptor_free(struct descriptor *d)
{
	free(d->alias);
	free(d->members);
	free(d->user_aux);
	memset(d, 0, sizeof(*d));
}

char *
message_word(const char *text)
{
	char *word = malloc(strlen(text) * 2 + 1), *w = word;

	if (word == NULL)
		return NULL;
	for (; *text != '\0'; text++) {
		if (isspace((unsigned char)*text) || *text == '\\')
			*w++ = '\\';
		*w++ = *text;
	}
	*w = '\0';
	return word;
}

static size_t
decimal_digits(uint64_t n)
{
	size_t digits = 1;

	while (n >= 10) {
		n /= 10;
		digits++;
	}
	return digits;
}

int
descriptor_row_fits(uint64_t leader_id, const struct range *leader,
    uint64_t step, const char *program_id, const char *aux,
    const char *options)
{
	size_t row;

	/* A newline would end the row early: it cannot be read back at all. */
	if (strchr(program_id, '\n') != NULL || strchr(aux, '\n') != NULL ||
	    (options != NULL && strchr(options, '\n') != NULL))
		return 0;
	/* "<id>: <start>+<len> <step> <program_id> <aux>[ <options>]\n" */
	row = decimal_digits(leader_id) + 2 + decimal_digits(leader->start) +
	    1 + decimal_digits(leader->len) + 1 + decimal_digits(step) + 1 +
	    strlen(program_id) + 1 + strlen(aux) + 1;
	if (options != NULL && *options != '\0')
		row += 1 + strlen(options);
	return row <= STATS_LIST_ROW_MAX;
}
