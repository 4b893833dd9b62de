#!/bin/bash
# Inode mode (dmstats's default): the daemon follows the open file, not its
# name.  Removing the file's last name ends the daemon (status 0, group
# left as it is) unless another process still holds the file: then it goes
# on following it and ends once that process closes it.  That holds too
# when the last name is a hard link that nobody holds open, whose removal
# makes the kernel send delete-self and drop the daemon's watch.  A rename
# or move within the filesystem changes nothing.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, two files mapped in inode mode"
setup_mapped --alloc 2M --foreground /tmp/u.log /mnt/u -v
pid_u=$pid
wait_log /tmp/u.log "started: .* follow inode, /mnt/u\$"
fragmented_file /mnt/f 2
filemap_foreground /tmp/f.log /mnt/f -v
pid_f=$FG_PID
wait_log /tmp/f.log "started: .* follow inode, /mnt/f\$"

step "/mnt/u unlinked, no other holder: the daemon exits 0"
before=$(stats_list "$dev")
rm /mnt/u
assert_exit 0 "$pid_u" 5 "exit status after the unlink"
wait_log /tmp/u.log "^dmfilemapd: /mnt/u was deleted and nothing else holds it: exiting, group [0-9]+ left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon left"

step "/mnt/f moved to /mnt/sub/g, then grown there"
mkdir /mnt/sub
mv /mnt/f /mnt/sub/g
fallocate -l 8M /mnt/sub/g
wait_group /mnt/sub/g "$dev" f
assert_running "$pid_f" "the daemon of the moved file"

step "/mnt/sub/g unlinked while this shell holds it open, then its hard link"
ln /mnt/sub/g /mnt/sub/h
exec 4</mnt/sub/g
rm /mnt/sub/g
rm /mnt/sub/h
# Opening the fd's /proc link opens the deleted file anew, for writing too.
held=/proc/$$/fd/4
wait_log /tmp/f.log "^dmfilemapd: /mnt/f was deleted but is still open elsewhere: following it until it is closed\$"
fallocate -l 12M "$held"
wait_group "$held" "$dev" f
assert_running "$pid_f" "the daemon of the deleted, held file"

step "the holder closes it: the daemon exits 0"
before=$(stats_list "$dev")
exec 4>&-
assert_exit 0 "$pid_f" 5 "exit status after the last holder closed"
wait_log /tmp/f.log "^dmfilemapd: /mnt/f was deleted and nothing else holds it: exiting, group [0-9]+ left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon left"
echo "ok: inode mode followed a move and a held deletion"
