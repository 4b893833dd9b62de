/*
 * dm-set-alias DEVICE GROUP_ID ALIAS: renames a dm-stats group through
 * libdevmapper's own dm_stats_set_alias(), as a program using the library
 * would (dmstats has no command for it).  The VM tests run it on whichever
 * libdevmapper the guest loads, to see that the daemon follows the group
 * under its new name, in that library's form.
 */
#include <inttypes.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char *argv[])
{
	struct dm_stats *dms;
	char *end;
	uint64_t id;
	int ok;

	if (argc != 4) {
		fprintf(stderr, "usage: dm-set-alias DEVICE GROUP_ID ALIAS\n");
		return 2;
	}
	id = strtoull(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0') {
		fprintf(stderr, "dm-set-alias: GROUP_ID '%s' is not a number\n",
		    argv[2]);
		return 2;
	}
	if ((dms = dm_stats_create("dmstats")) == NULL)
		return 1;
	ok = dm_stats_bind_name(dms, argv[1]) &&
	    dm_stats_list(dms, DM_STATS_ALL_PROGRAMS) &&
	    dm_stats_set_alias(dms, id, argv[3]);
	dm_stats_destroy(dms);
	if (!ok)
		fprintf(stderr, "dm-set-alias: cannot rename group %" PRIu64
		    " on %s\n", id, argv[1]);
	return ok ? 0 : 1;
}
