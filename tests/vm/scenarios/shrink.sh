#!/bin/bash
# A group made by Debian's `dmstats create --filemap` on the filesystem named
# by the first argument (ext4, xfs, or btrfs, where `dmfilemapd --create`
# stands for dmstats) follows its file as it shrinks: cut short with
# truncate, holed with fallocate --punch-hole.  Regions over freed sectors
# go, untouched ones stay.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

fs="${1:?filesystem}"
file=/mnt/f

require_daemon
step "$fs on a dm-linear device, an 8 MiB file in 4 extents"
setup_mapped --fs "$fs" --pieces 4 --piece 2 "$file"

step "truncated to 5 MiB, in the middle of its third extent"
before=$(group_regions "$dev" "$(group_id_by_alias "$dev" f)")
truncate -s 5M "$file"
wait_group "$file" "$dev" f
assert_kept "$before" "$file" "$dev" f
assert_no_strays "$dev"

step "a 512 KiB hole punched in its first extent"
before=$(group_regions "$dev" "$(group_id_by_alias "$dev" f)")
extents_before=$(file_extents "$file" "$dev" | wc -l)
fallocate --punch-hole -o 1M -l 512K "$file"
# The hole splits an extent: one more range, so the test sees a real change.
assert_eq "$((extents_before + 1))" "$(file_extents "$file" "$dev" | wc -l)" "extents after the punch"
wait_group "$file" "$dev" f
assert_kept "$before" "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$pid"
echo "ok: group follows $file on $fs as it shrinks"
