#!/bin/bash
# `dmstats update_filemap FILE --groupid N` brings a stale group up to date:
# Debian's dmstats only starts the daemon, whose first pass does the work.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

file=/mnt/f

require_daemon
step "a group made with --nomonitor, then the file grown behind its back"
setup_mapped --pieces 2 --nomonitor "$file"
assert_eq "" "$(daemon_pids)" "daemons after create --nomonitor"
first=$(group_regions "$dev" "$gid")
fragmented_file "$file" 4
if holds check_group "$file" "$dev" "$gid"; then
	fail "the group still covers the grown file: nothing to update"
fi

step "dmstats update_filemap"
# Output to a file: the daemon inherits it, and $(...) would wait for it.
dmstats update_filemap "$file" --groupid "$gid" >/tmp/update.out 2>&1 ||
	fail "dmstats update_filemap failed: $(cat /tmp/update.out)"
pid=$(wait_for_daemon "$gid" "$file")
assert_match "^dmfilemapd [0-9]+ $gid $file inode 0 0\$" "$(daemon_cmdline "$pid")" "daemon arguments"
wait_group "$file" "$dev" f
assert_kept "$first" "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$pid"
echo "ok: update_filemap brought group $gid up to date"
