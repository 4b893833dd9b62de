/*
 * The in-memory dm-stats kernel (model.h).  It follows the kernel's rules
 * that the daemon's logic depends on: a new region gets the lowest free
 * id; a deleted id is free again; aux_data and program_id are kept
 * verbatim, "-" standing for none; @stats_list prints regions by id in the
 * kernel's format, options after the aux_data; counters belong to a region
 * and die with it; messages are split at blanks, a backslash escaping the
 * next character.  It does not stand for: areas (every region is one
 * area, as the daemon makes them), timing, the suspend a create causes,
 * histograms' contents, or the kernel's memory limits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define MAX_WORDS 16

static stats_send_fn model_send;

void
model_init(struct model *k, struct stats_device *dev)
{
	memset(k, 0, sizeof(*k));
	memset(dev, 0, sizeof(*dev));
	dev->major = 253;
	dev->minor = 0;
	dev->name = strdup("model");
	dev->send = model_send;
	dev->model = k;
}

static void
copy(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", strcmp(from, "-") == 0 ? "" : from);
}

uint64_t
model_create(struct model *k, uint64_t start, uint64_t len,
    const char *program_id, const char *aux, const char *options)
{
	uint64_t id;
	struct model_region *r;

	for (id = 0; id < MODEL_REGIONS && k->regions[id].present; id++)
		;
	if (id == MODEL_REGIONS)
		abort();
	r = &k->regions[id];
	memset(r, 0, sizeof(*r));
	r->present = 1;
	r->start = start;
	r->len = len;
	copy(r->program_id, sizeof(r->program_id), program_id);
	copy(r->aux, sizeof(r->aux), aux);
	snprintf(r->options, sizeof(r->options), "%s", options);
	k->creates++;
	return id;
}

void
model_delete(struct model *k, uint64_t id)
{
	k->regions[id].present = 0;
}

void
model_set_aux(struct model *k, uint64_t id, const char *aux)
{
	copy(k->regions[id].aux, sizeof(k->regions[id].aux), aux);
}

void
model_read(struct model *k, uint64_t sector)
{
	size_t id;
	struct model_region *r;

	for (id = 0; id < MODEL_REGIONS; id++) {
		r = &k->regions[id];
		if (r->present && r->start <= sector && sector < r->start + r->len)
			r->reads++;
	}
}

static char *
list_regions(const struct model *k, const char *program_id)
{
	char *text = NULL;
	size_t size = 0, id;
	const struct model_region *r;
	FILE *f = open_memstream(&text, &size);

	for (id = 0; id < MODEL_REGIONS; id++) {
		r = &k->regions[id];
		if (!r->present || (program_id != NULL &&
		    strcmp(r->program_id, program_id) != 0))
			continue;
		fprintf(f, "%zu: %" PRIu64 "+%" PRIu64 " %" PRIu64 " %s %s%s%s\n",
		    id, r->start, r->len, r->len,
		    r->program_id[0] ? r->program_id : "-",
		    r->aux[0] ? r->aux : "-", r->options[0] ? " " : "",
		    r->options);
	}
	fclose(f);
	return text;
}

char *
model_list(const struct model *k)
{
	return list_regions(k, NULL);
}

/* Splits in place as the kernel does: blanks separate, '\' escapes. */
static int
split(char *message, char **words)
{
	char *in = message, *out = message;
	int n = 0;

	while (*in != '\0') {
		while (*in == ' ')
			in++;
		if (*in == '\0' || n == MAX_WORDS)
			break;
		words[n++] = out;
		while (*in != '\0' && *in != ' ') {
			if (*in == '\\' && in[1] != '\0')
				in++;
			*out++ = *in++;
		}
		if (*in != '\0')
			in++;
		*out++ = '\0';
	}
	return n;
}

static int
region_id(const struct model *k, const char *word, uint64_t *id)
{
	char *end;

	*id = strtoull(word, &end, 10);
	if (*end != '\0' || *id >= MODEL_REGIONS || !k->regions[*id].present) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* "@stats_create START+LEN /1 N [OPTIONS...] PROGRAM AUX" */
static int
take_create(struct model *k, char **w, int n, char **answer)
{
	unsigned long long start, len;
	char options[256] = "";
	int n_options, i;

	if (n < 4 || sscanf(w[1], "%llu+%llu", &start, &len) != 2 ||
	    strcmp(w[2], "/1") != 0 || (n_options = atoi(w[3])) < 0 ||
	    n != 4 + n_options + 2) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n_options; i++)
		snprintf(options + strlen(options), sizeof(options) -
		    strlen(options), "%s%s", i ? " " : "", w[4 + i]);
	return asprintf(answer, "%" PRIu64, model_create(k, start, len,
	    w[4 + n_options], w[5 + n_options], options)) < 0 ? -1 : 0;
}

static int
take(struct model *k, char **w, int n, char **answer)
{
	const struct model_region *r;
	uint64_t id;

	if (strcmp(w[0], "@stats_list") == 0) {
		*answer = list_regions(k, n > 1 ? w[1] : NULL);
		return 0;
	}
	if (strcmp(w[0], "@stats_create") == 0)
		return take_create(k, w, n, answer);
	if (n < 2 || region_id(k, w[1], &id) != 0)
		return -1;
	if (strcmp(w[0], "@stats_delete") == 0 && n == 2) {
		model_delete(k, id);
		return 0;
	}
	if (strcmp(w[0], "@stats_set_aux") == 0 && n == 3) {
		model_set_aux(k, id, w[2]);
		return 0;
	}
	if (strcmp(w[0], "@stats_print") == 0 && n == 2) {
		r = &k->regions[id];
		return asprintf(answer, "%" PRIu64 "+%" PRIu64 " %" PRIu64
		    " 0 0 0 %" PRIu64 " 0 0 0 0 0 0 0 0 0 0\n", r->start,
		    r->len, r->reads, r->writes) < 0 ? -1 : 0;
	}
	errno = EINVAL;
	return -1;
}

static int
model_send(const struct stats_device *dev, const char *message, char **answer)
{
	struct model *k = dev->model;
	char *copy_of = strdup(message), *words[MAX_WORDS], *text = NULL;
	int n, r;

	k->messages++;
	if (k->fail_prefix != NULL &&
	    strncmp(message, k->fail_prefix, strlen(k->fail_prefix)) == 0) {
		free(copy_of);
		errno = EIO;
		return -1;
	}
	n = split(copy_of, words);
	r = n > 0 ? take(k, words, n, &text) : -1;
	free(copy_of);
	if (r == 0 && answer != NULL)
		*answer = text ? text : strdup("");
	else
		free(text);
	return r;
}
