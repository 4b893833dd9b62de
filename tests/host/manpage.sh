#!/bin/bash
# The manual page formats without a single warning, and the intervals and
# defaults it documents are the ones the code uses.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/man/dmfilemapd.8

warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || { echo "groff warns:"; echo "$warnings"; exit 1; }

# Lines joined and blanks squeezed: the page is filled and justified, so a
# phrase may be split across lines and its words set apart.
text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | col -b | tr -s '[:space:]' ' ')

# constant NAME: its value in include/schedule.h, cli.h, claim.h, sync.h, track.h or listshare.h
constant() {
	sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$top"/include/{schedule,cli,claim,sync,track,listshare}.h
}

expect() {
	grep -qF -- "$1" <<<"$text" || { echo "the manual does not say: $1"; exit 1; }
}

expect "at most one pass runs every $(constant PASS_GAP_MS) ms"
expect "but not within $(constant PASS_GAP_MS) ms of the end of a pass"
expect "every $(constant RECHECK_MS) ms"
expect "every $(($(constant GROUP_CHECK_MS) / 1000)) seconds"
expect "checks every $(($(constant UNWATCHED_CHECK_MS) / 1000)) seconds"
expect "at most once every $(constant CONTROL_GAP_MS) ms however busy"
expect "waits $(constant CONTROL_SETTLE_MS) ms after the use it saw"
# Noticing within half a second takes the gap and the check itself.
[ $(($(constant CONTROL_GAP_MS) + $(constant CONTROL_SETTLE_MS))) -le 350 ] || { echo "CONTROL_GAP_MS no longer leaves room for the documented half second"; exit 1; }
expect "busy for more than $(($(constant CLAIM_REPLY_MS) / 1000)) seconds"
expect "more than $(($(constant PATH_GRACE_MS) / 1000)) second"
expect "stay without data for $(($(constant EMPTY_GRACE_MS) / 1000)) second"
expect "default $(constant REGIONS_PER_EXTENT_DEFAULT)."
expect "cannot have it within $(($(constant LISTSHARE_LOCK_WAIT_MS) / 1000)) seconds"
expect "$(sed -n 's/^#define LISTSHARE_DIR "\(.*\)"/\1/p' "$top/include/listshare.h")/major:minor"
env_name=$(sed -n 's/^#define REGIONS_PER_EXTENT_ENV "\(.*\)"/\1/p' "$top/include/cli.h")
expect "$env_name"
expect "ascending from above 0, at most $(constant BOUNDS_MAX)."
expect "once they pause for $(constant REWRITE_SETTLE_MS) ms, $(($(constant REWRITE_WAIT_MS) / 1000)) second after the first at the latest"
expect "unprompted group check, within $(($(constant GROUP_CHECK_MS) / 1000)) seconds"
for section in SYNOPSIS ARGUMENTS "CREATING A GROUP" MODES BTRFS "WHOSE REGIONS" LOGGING SIGNALS FAULTS "EXIT STATUS" LIMITATIONS EXAMPLES "SEE ALSO"; do
	expect "$section"
done
expect "dmfilemapd 3 0 /srv/vm.img path 1 3 3< /srv/vm.img"
echo "manual page is clean and matches the code"
