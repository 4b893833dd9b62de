#!/bin/bash
# `dmstats update_filemap` on a group whose daemon already runs (as after
# `dmstats create --filemap`) starts a second daemon for the same group.
# However many daemons serve it, the group must follow its file without
# leaving duplicate regions outside it: each such region costs the device
# on every I/O and 64 KiB of kernel memory, for good.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# started_or_gone PID: the second daemon, PID, has logged its start or ended.
started_or_gone() {
	grep -q "started:" /tmp/second.log || process_gone "$1"
}

require_daemon
step "ext4 on a dm-linear device; a mapped file, then update_filemap on it"
setup_mapped --pieces 2 /mnt/f
# In the foreground, dmstats becomes the second daemon: its log says when
# it runs (or why it does not).
dmstats update_filemap /mnt/f --groupid "$gid" --foreground -v >/dev/null 2>/tmp/second.log &
second=$!
wait_until 10 started_or_gone "$second"
echo "daemons running: $(daemon_pids | wc -l)"

step "the file grown in four steps"
for pieces in 3 4 5 6; do
	fragmented_file /mnt/f "$pieces"
	wait_group /mnt/f "$dev" f
done
# A stray might be cleaned up by a later group check: allow for one.
wait_no_strays 7 "$dev"
echo "ok: no duplicate region left outside the group"
