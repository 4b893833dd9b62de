/*
 * Changing a group in the kernel (apply.c): a plan carried out, the
 * leftovers of a killed daemon swept, the group removed.  Each step that
 * fails is logged where it fails; callers learn only how far a change got.
 */
#ifndef DMFILEMAPD_APPLY_H
#define DMFILEMAPD_APPLY_H

#include "group.h"
#include "plan.h"

/*
 * Deletes the regions an earlier daemon of the group, killed, created but
 * never grouped.  Only for the claim's holder.  Logs what fails: what is
 * left is found again at the next start.
 */
void group_sweep(const struct group *g);

/* How far a change of the group got; each failed step is logged by it. */
enum group_change {
	CHANGE_DONE,
	CHANGE_PARTLY,		/* what succeeded stays; the group is valid */
	CHANGE_NONE,		/* the group is left as it was */
};

/*
 * Carries out a plan: creates, then moves the descriptor, then deletes
 * (see apply.c for why in that order).  The leader may change; g->id
 * follows it.
 */
enum group_change group_apply(struct group *g, const struct plan *plan);

/*
 * Deletes every member region, which ends the group.  A region that
 * cannot be deleted is logged, and the others still go.
 */
void group_remove(struct group *g);

/*
 * group_remove, if a check against a fresh listing finds the group still
 * this daemon's; nothing when it is not.  What fails is logged here: the
 * daemon ends either way.
 */
void group_remove_own(struct group *g);

#endif
