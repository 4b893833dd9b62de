#!/bin/bash
# A file on the filesystem named by the first argument (ext4, xfs, or btrfs,
# where `dmfilemapd --create` stands for dmstats) grows 30 times by 1 MiB
# under `dmstats create --filemap`. After each step the daemon has the group
# in step before the next reads, so the group's members count every O_DIRECT
# read of the file exactly once: no read lost to a region deleted or
# recreated, none counted twice. The regions stay within the documented cap
# per contiguous extent.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

FS="${1:?filesystem}"
STEPS=30
READS_PER_STEP=100
CAP=64 # dmfilemapd(8): the default of DMFILEMAPD_REGIONS_PER_EXTENT
MIB=1048576

# fill_mib FILE N: writes random data over the file's N-th MiB with
# O_DIRECT.  Reads of fallocated (unwritten) blocks are answered with
# zeros without any I/O, so only written data makes reads that count.
fill_mib() {
	dd if=/dev/urandom of="$1" bs=1M count=1 seek="$2" conv=notrunc \
		oflag=direct status=none || fail "cannot write MiB $2 of $1"
}

# show_counters DEV GROUP_ID: each member's range and reads, for a failure.
show_counters() {
	local id
	for id in $(group_members "$1" "$2"); do
		echo "  region $id: $(dmsetup message "$1" 0 @stats_print "$id")"
	done >&2
}

require_daemon
unset DMFILEMAPD_REGIONS_PER_EXTENT
step "$FS on a dm-linear device, a file of 1 MiB of data"
setup_mapped --fs "$FS"
fill_mib /mnt/f 0

step "dmstats create --filemap before any read of the file"
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
check_group /mnt/f lin "$gid"
assert_eq 0 "$(group_reads lin "$gid")" "reads counted before the first read"

step "$STEPS steps: fallocate 1 MiB more, fill it, wait for the group, read"
issued=0
for n in $(seq 1 "$STEPS"); do
	fallocate -o $((n * MIB)) -l $MIB /mnt/f
	fill_mib /mnt/f "$n"
	wait_in_step 60 /mnt/f lin "$gid"
	# The step number seeds the reads, so a failing run can be replayed.
	done_now=$(odirect-read /mnt/f "$READS_PER_STEP" "$n") ||
		fail "odirect-read failed at step $n"
	issued=$((issued + done_now))
done

step "the group's counters against the reads issued"
process_gone "$pid" && fail "the daemon (pid $pid) has exited"
counted=$(group_reads lin "$gid")
regions=$(group_regions lin "$gid" | wc -l)
regions_per_extent /mnt/f lin "$gid" | sed 's/^/  extent (start len regions): /'
most=$(most_regions_per_extent /mnt/f lin "$gid")
echo "reads issued: $issued; counted by group $gid: $counted;" \
	"regions: $regions; most in one extent: $most (cap $CAP)"
assert_eq $((STEPS * READS_PER_STEP)) "$issued" "reads issued by odirect-read"
[ "$counted" = "$issued" ] || {
	show_counters lin "$gid"
	fail "group $gid counted $counted reads of the $issued issued"
}
[ "$most" -le "$CAP" ] || fail "$most regions in one extent, above the cap of $CAP"
echo "ok: every read of the growing file was counted once"
