#!/bin/bash
# dmfilemapd(8), BTRFS: RAID0 and RAID10 data, striped over a dm device
# and plain devices: the group holds exactly the stripe pieces on the dm
# device, and follows the file as it grows.  Where the file's data lies is
# found without the file system: every 4 KiB block of the file carries a
# stamp, and the dm device is read whole for them (stamped-blocks).
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# stamped_on DEV TAG: where DEV holds blocks stamped TAG, merged.
stamped_on() {
	stamped-blocks find "$1" "$2" | merge_ranges
}

# group_as_stamped DEV GID TAG: the group's regions, merged, are where DEV
# holds the file's blocks.
group_as_stamped() {
	local regions
	regions=$(group_regions "$1" "$2" | awk '{ print $2, $3 }' | merge_ranges strict) || return 1
	[ "$regions" = "$(stamped_on "$1" "$3")" ]
}

# show_difference DEV GID TAG: both sides, for a failure.
show_difference() {
	{
		echo "stamped blocks on $1 (start len):"
		stamped_on "$1" "$3" | sed 's/^/  /'
		echo "regions of group $2 (id start len):"
		group_regions "$1" "$2" | sed 's/^/  /'
	} >&2
}

# striped PROFILE DEVICES: btrfs with data PROFILE over the dm device and
# DEVICES-1 loop devices on the rest of /dev/vda; a stamped file, its
# group, its growth.
striped() {
	local profile=$1 devices=$2 loops=() i tag=stamp-$1-$RANDOM pid
	step "$profile over a dm device and $((devices - 1)) plain devices"
	dev=$(make_linear "s$profile" /dev/vda 240)
	for ((i = 1; i < devices; i++)); do
		loops+=("$(losetup --find --show --offset $((i * 256 << 20)) --sizelimit $((240 << 20)) /dev/vda)")
	done
	mkfs.btrfs -q -f -d "$profile" -m raid1 "$dev" "${loops[@]}" >/dev/null 2>&1 ||
		fail "mkfs.btrfs -d $profile failed"
	mount "$dev" /mnt
	# 256 KiB pieces with another file's data between them: several
	# stretches on each device.
	for ((i = 0; i < 16; i++)); do
		stamped-blocks write /mnt/f $((i * 64)) 64 "$tag"
		dd if=/dev/urandom of=/mnt/between bs=64k count=1 oflag=append conv=notrunc,fsync status=none
	done
	[ "$(stamped_on "$dev" "$tag" | wc -l)" -gt 1 ] ||
		fail "the file is not striped over $dev: nothing to check"
	[ -n "$(stamped-blocks find "${loops[0]}" "$tag")" ] ||
		fail "no piece of the file on ${loops[0]}: not striped"
	gid=$(filemap_create /mnt/f)
	pid=$(wait_for_daemon "$gid" /mnt/f)
	group_as_stamped "$dev" "$gid" "$tag" || {
		show_difference "$dev" "$gid" "$tag"
		fail "group $gid does not hold exactly the file's pieces on $dev"
	}
	echo "  $(group_regions "$dev" "$gid" | wc -l) regions, the $(stamped_on "$dev" "$tag" | wc -l) stretches of the file on $dev"
	# Growth: the stamps go on from where they stopped.
	stamped-blocks write /mnt/f 1024 512 "$tag"
	if ! poll_until 10 group_as_stamped "$dev" "$gid" "$tag"; then
		show_difference "$dev" "$gid" "$tag"
		fail "group $gid did not follow the file's growth on $dev"
	fi
	kill "$pid"
	wait_until 10 process_gone "$pid"
	umount /mnt
	losetup -d "${loops[@]}"
	dmsetup remove "s$profile"
}

require_daemon
modprobe btrfs
striped raid0 2
striped raid10 4
echo "ok: RAID0 and RAID10 groups hold exactly the file's pieces on the dm device"
