/*
 * A dm-stats group as the kernel lists it.  @stats_list answers one region
 * a line:  <id>: <start>+<len> <step> <program_id> <aux> [options]
 * and a group's lowest region carries  DMS_GROUP=<alias>:<members>[#<aux>]
 * with members such as 0-4,7.  The group is found by its alias on every
 * listing, since its id changes whenever its lowest region does.
 */
#include <libdevmapper.h>
#include <stdlib.h>
#include <string.h>

#include "group_wait.h"

#define TAG "DMS_GROUP="

struct slot {
	uint64_t start, len;
	int present;
};

/* Regions by id; ids are small and dense, as the kernel hands them out. */
struct table {
	struct slot *v;
	size_t n;
};

char *
stats_list(const char *dev)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TARGET_MSG);
	const char *answer;
	char *copy = NULL;

	if (dmt == NULL)
		return NULL;
	/* libdevmapper keeps a buffer that grew for a long answer. */
	if (dm_task_set_name(dmt, dev) && dm_task_set_sector(dmt, 0) &&
	    dm_task_set_message(dmt, "@stats_list") && dm_task_run(dmt)) {
		answer = dm_task_get_message_response(dmt);
		copy = strdup(answer ? answer : "");
	}
	dm_task_destroy(dmt);
	return copy;
}

static int
table_put(struct table *t, uint64_t id, uint64_t start, uint64_t len)
{
	struct slot *grown;
	size_t n;

	if (id >= t->n) {
		n = id + 1 > 2 * t->n ? id + 1 : 2 * t->n;
		if ((grown = realloc(t->v, n * sizeof(*grown))) == NULL)
			return -1;
		memset(grown + t->n, 0, (n - t->n) * sizeof(*grown));
		t->v = grown;
		t->n = n;
	}
	t->v[id].start = start;
	t->v[id].len = len;
	t->v[id].present = 1;
	return 0;
}

static const char *
skip_word(const char *p)
{
	p += strcspn(p, " \n");
	return p + strspn(p, " ");
}

/*
 * Reads one line; *aux points at its aux word, *aux_len long.  By hand:
 * sscanf would measure the whole rest of the listing on every line.
 */
static int
parse_line(const char *line, uint64_t *id, uint64_t *start, uint64_t *len,
    const char **aux, size_t *aux_len)
{
	char *end;

	*id = strtoull(line, &end, 10);
	if (end == line || *end != ':')
		return -1;
	*start = strtoull(end + 1, &end, 10);
	if (*end != '+')
		return -1;
	*len = strtoull(end + 1, &end, 10);
	if (*end != ' ')
		return -1;
	/* Then the step and the program_id: aux is the word after them. */
	*aux = skip_word(skip_word(end + 1));
	*aux_len = strcspn(*aux, " \n");
	return 0;
}

/* The member list of aux when it names alias, or NULL. */
static const char *
members_of(char *aux, const char *alias)
{
	char *name, *colon, *hash;
	size_t len;

	if (strncmp(aux, TAG, strlen(TAG)) != 0)
		return NULL;
	name = aux + strlen(TAG);
	/* User aux_data after '#' may hold anything, a colon too. */
	if ((hash = strchr(name, '#')) != NULL)
		*hash = '\0';
	if ((colon = strrchr(name, ':')) == NULL)
		return NULL;
	*colon = '\0';
	/* Newer libdevmapper quotes the alias. */
	len = strlen(name);
	if (len >= 2 && (name[0] == '\'' || name[0] == '"') &&
	    name[len - 1] == name[0]) {
		name[len - 1] = '\0';
		name++;
	}
	if (strcmp(name, alias) != 0)
		return NULL;
	return colon + 1;
}

/* Adds the regions a member list names; a missing one leaves a gap. */
static int
add_members(const char *list, const struct table *t, struct spans *out)
{
	unsigned long long lo, hi, id;
	char *end;

	out->n = 0;
	while (*list != '\0') {
		lo = hi = strtoull(list, &end, 10);
		if (end == list)
			return 0;
		if (*end == '-')
			hi = strtoull(end + 1, &end, 10);
		for (id = lo; id <= hi && id < t->n; id++)
			if (t->v[id].present &&
			    spans_add(out, t->v[id].start, t->v[id].len) != 0)
				return -1;
		list = *end == ',' ? end + 1 : end + strlen(end);
	}
	spans_normalize(out);
	return 0;
}

/* The member list of a leader of alias, as a malloc'd string, or NULL. */
static char *
leader_members(const char *aux, size_t aux_len, const char *alias)
{
	char *copy, *members = NULL;
	const char *list;

	if (aux_len < strlen(TAG) || strncmp(aux, TAG, strlen(TAG)) != 0 ||
	    (copy = strndup(aux, aux_len)) == NULL)
		return NULL;
	if ((list = members_of(copy, alias)) != NULL)
		members = strdup(list);
	free(copy);
	return members;
}

int
group_spans(const char *listing, const char *alias, struct spans *groups,
    int max)
{
	struct table t = { NULL, 0 };
	const char *line, *aux;
	char *members[MAX_GROUPS];
	uint64_t id, start, len;
	size_t aux_len;
	int found = 0, i, r = 0;

	if (max > MAX_GROUPS)
		max = MAX_GROUPS;
	for (line = listing; r == 0 && line != NULL && *line != '\0';
	    line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (parse_line(line, &id, &start, &len, &aux, &aux_len) != 0)
			continue;
		if (table_put(&t, id, start, len) != 0)
			r = -1;
		else if (found < max &&
		    (members[found] = leader_members(aux, aux_len, alias)) != NULL)
			found++;
	}
	/* Members are looked up once every region is known. */
	for (i = 0; i < found; i++) {
		if (r == 0 && add_members(members[i], &t, &groups[i]) != 0)
			r = -1;
		free(members[i]);
	}
	free(t.v);
	return r == 0 ? found : -1;
}

int
list_groups(const char *dev, const char *alias, struct spans *groups)
{
	char *listing = stats_list(dev);
	int n;

	if (listing == NULL)
		return -1;
	n = group_spans(listing, alias, groups, MAX_GROUPS);
	free(listing);
	return n;
}

int
groups_cover(const struct spans *layout, const struct spans *groups, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (spans_uncovered(layout, &groups[i]) == 0)
			return 1;
	return 0;
}
