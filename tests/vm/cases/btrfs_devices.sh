#!/bin/bash
# dmfilemapd(8), BTRFS: a file system over several dm devices gives the
# file a group on each that holds some of its data, each exact, each
# followed by a daemon of its own; their reads add up to those the file
# caused on the devices.  RAID1 and single over two dm devices, RAID0 over
# two, RAID10 over two dm devices and two plain ones (left out).  Where
# the file's data lies is found without the file system: every 4 KiB block
# of the file carries a stamp, and each device is read whole for them
# (stamped-blocks).
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

# every_group_as_stamped TAG: each dm device's group holds the file's
# blocks there (groups[NAME] its id).
every_group_as_stamped() {
	local name
	for name in "${!groups[@]}"; do
		group_as_stamped "/dev/mapper/$name" "${groups[$name]}" "$1" || return 1
	done
}

# show_differences TAG: both sides on each device, for a failure.
show_differences() {
	local name
	for name in "${!groups[@]}"; do
		{
			echo "stamped blocks on $name (start len):"
			stamped_on "/dev/mapper/$name" "$1" | sed 's/^/  /'
			echo "regions of group ${groups[$name]} on $name (id start len):"
			group_regions "/dev/mapper/$name" "${groups[$name]}" | sed 's/^/  /'
		} >&2
	done
}

# create_groups FILE: dmfilemapd --create FILE, which says each group it
# made or found and the device it is on, in $created; fills groups[NAME]
# with the ids.
create_groups() {
	local line
	created=$(dmfilemapd --create "$1" 2>&1) || fail "dmfilemapd --create $1 failed: $created"
	printf '%s\n' "$created" | sed 's/^/  /'
	groups=()
	while IFS= read -r line; do
		[[ $line =~ group\ ID\ ([0-9]+)\ on\ ([^ ]+)\.$ ]] ||
			fail "no group id and device in: $line"
		groups[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
	done <<<"$created"
}

# daemon_of NAME: the pid of the daemon that follows NAME's group; the
# first group's is the --create process itself, the others' are started
# with --groupid ID --device MAJOR:MINOR.
daemon_of() {
	local pid argv devno
	devno=$(dmsetup info -c --noheadings -o major,minor --separator : "$1")
	for pid in $(daemon_pids); do
		{ mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || continue
		settled "$pid" || continue
		if [ "${argv[1]}" = --groupid ] && [ "${argv[2]}" = "${groups[$1]}" ] &&
			[ "${argv[3]}" = --device ] && [ "${argv[4]}" = "$devno" ]; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# stamped_file FILE TAG PIECES: PIECES pieces of 64 blocks with another
# file's data between them, so that the file has several stretches.
stamped_file() {
	local i
	for ((i = 0; i < $3; i++)); do
		stamped-blocks write "$1" $((i * 64)) 64 "$2"
		dd if=/dev/urandom of=/mnt/between bs=64k count=1 oflag=append conv=notrunc,fsync status=none
	done
}

# reads_add_up FILE: the groups' reads over both devices are those the
# devices served while FILE was read, uncached and with O_DIRECT; each
# device served some.
reads_add_up() {
	local name device0=0 group0=0 device=0 group=0 round served
	local -A whole=()
	cat "$1" >/dev/null	# the tree's blocks, read once before counting
	for name in "${!groups[@]}"; do
		whole[$name]=$(unwatched dmsetup message "$name" 0 @stats_create - /1 checker -)
		device0=$((device0 + $(region_reads "/dev/mapper/$name" "${whole[$name]}")))
		group0=$((group0 + $(group_reads "/dev/mapper/$name" "${groups[$name]}")))
	done
	# btrfs picks a copy by the reader's pid: readers of both parities.
	for round in 1 2; do
		dd if="$1" iflag=nocache count=0 status=none
		cat "$1" >/dev/null
		dd if="$1" iflag=nocache count=0 status=none
		/bin/true
		odirect-read "$1" 100 "$round" >/dev/null
	done
	for name in "${!groups[@]}"; do
		served=$(region_reads "/dev/mapper/$name" "${whole[$name]}")
		echo "  $name served $served reads"
		[ "$served" -gt 0 ] || fail "$name served no read: the groups' sum was not checked over both"
		device=$((device + served))
		group=$((group + $(group_reads "/dev/mapper/$name" "${groups[$name]}")))
		unwatched dmsetup message "$name" 0 @stats_delete "${whole[$name]}" >/dev/null
	done
	device=$((device - device0)) group=$((group - group0))
	echo "  reads the dm devices served: $device; counted by the groups: $group"
	[ "$device" -gt 0 ] || fail "no read reached the dm devices: nothing was checked"
	[ $((group * 100)) -ge $((device * 99)) ] ||
		fail "the groups counted $group of the $device reads the devices served (less than 99 %)"
	[ "$group" -le "$device" ] || fail "the groups counted $group reads, more than the $device served"
}

# refusals NAME...: a group id names a region of one device, so the forms
# that follow one need the device where the file system has several.
refusals() {
	local name numbers=() devices
	step "a group id alone is refused where the file system has several dm devices"
	for name in "$@"; do
		numbers+=("$(dmsetup info -c --noheadings -o major,minor --separator : "$name")")
	done
	devices="2 device-mapper devices (${numbers[*]})"
	assert_refused "/dev/mapper/$1" 1 "dmfilemapd: FD 3: the btrfs file system lies on $devices; the group is named with --groupid ID --device MAJOR:MINOR FILE" \
		'3</mnt/f' 3 0 /mnt/f inode 0 0
	assert_refused "/dev/mapper/$1" 1 "dmfilemapd: FILE '/mnt/f': the btrfs file system lies on $devices; the group is named with --groupid ID --device MAJOR:MINOR FILE" \
		'' --groupid 0 /mnt/f
	assert_refused "/dev/mapper/$1" 1 "dmfilemapd: --device '7:0' is not one of the btrfs file system's device-mapper devices (${numbers[*]})" \
		'' --groupid 0 --device 7:0 /mnt/f
	assert_refused "/dev/mapper/$1" 1 "dmfilemapd: --device '7:0' is not one of the btrfs file system's device-mapper devices (${numbers[*]})" \
		'' --create --device 7:0 /mnt/f
}

# no_daemon: no dmfilemapd runs.
no_daemon() {
	[ -z "$(daemon_pids)" ]
}

# first_daemon: the --create process, which follows the first group.
first_daemon() {
	local pid argv
	for pid in $(daemon_pids); do
		{ mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || continue
		[ "${argv[1]}" = --create ] && settled "$pid" && { echo "$pid"; return 0; }
	done
	return 1
}

# lifecycle NAME: dmstats deletes NAME's group; its daemon exits and the
# others go on; --create again keeps the groups there and makes NAME's.
lifecycle() {
	local name=$1 pid first
	step "$name's group deleted: its daemon exits, the others go on"
	pid=$(daemon_of "$name") || fail "no daemon follows the group on $name"
	first=$(first_daemon) || fail "the --create process does not run"
	dmstats delete --groupid "${groups[$name]}" "$name" >/dev/null
	wait_until 10 process_gone "$pid"
	kill -0 "$first" 2>/dev/null || fail "the first group's daemon exited too"
	unset "groups[$name]"
	stamped-blocks write /mnt/f 2048 64 "$tag"
	poll_until 15 every_group_as_stamped "$tag" || {
		show_differences "$tag"
		fail "the remaining group did not follow the file"
	}
	step "--create again: the group found is kept, the deleted one made anew"
	kill "$first"
	wait_until 10 process_gone "$first"
	create_groups /mnt/f
	printf '%s\n' "$created" | grep -q "Following its group made before as group ID [0-9]* on ${names[0]}\.$" ||
		fail "the group on ${names[0]} was not taken again"
	printf '%s\n' "$created" | grep -q "Created new group .* on $name\.$" ||
		fail "no group made anew on $name"
	wait_until 10 daemon_of "$name" >/dev/null
	every_group_as_stamped "$tag" || {
		show_differences "$tag"
		fail "after --create again, the groups do not hold the file's blocks"
	}
}

# several PROFILE DM_DEVICES PLAIN_DEVICES PIECES [reads|lifecycle]:
# btrfs with data PROFILE over dm devices and loop devices, 144 MiB each
# on /dev/vda; a stamped file, its groups, the file's growth; the groups'
# reads, and with lifecycle a group deleted and made again too.
several() {
	local profile=$1 n_dm=$2 n_plain=$3 pieces=$4 devs=() loops=() names=() i
	local tag=stamp-$1-$RANDOM name created
	local -A groups=()
	step "$profile over $n_dm dm devices and $n_plain plain devices"
	for ((i = 0; i < n_dm; i++)); do
		names+=("b$profile$i")
		dmsetup create "b$profile$i" --table "0 $((144 * 2048)) linear /dev/vda $((i * 160 * 2048 + LINEAR_OFFSET))" ||
			fail "cannot create dm-linear device b$profile$i"
		devs+=("/dev/mapper/b$profile$i")
	done
	for ((i = 0; i < n_plain; i++)); do
		loops+=("$(losetup --find --show --offset $(((n_dm + i) * 160 << 20)) --sizelimit $((144 << 20)) /dev/vda)")
	done
	mkfs.btrfs -q -f -d "$profile" -m raid1 "${devs[@]}" "${loops[@]}" >/dev/null 2>&1 ||
		fail "mkfs.btrfs -d $profile failed"
	mount "${devs[0]}" /mnt
	stamped_file /mnt/f "$tag" "$pieces"
	for name in "${names[@]}"; do
		[ -n "$(stamped-blocks find "/dev/mapper/$name" "$tag")" ] ||
			fail "no block of the file on $name: nothing to check there"
	done
	[ "${5:-}" != lifecycle ] || refusals "${names[@]}"
	create_groups /mnt/f
	[ "${#groups[@]}" = "$n_dm" ] || fail "${#groups[@]} groups for the $n_dm dm devices"
	first_daemon >/dev/null || fail "the --create process does not follow the first group"
	for name in "${names[@]}"; do
		[ -n "${groups[$name]:-}" ] || fail "no group on $name"
		[ "$name" = "${names[0]}" ] || wait_until 10 daemon_of "$name" >/dev/null
	done
	every_group_as_stamped "$tag" || {
		show_differences "$tag"
		fail "the groups do not hold exactly the file's blocks on each dm device"
	}
	for name in "${names[@]}"; do
		echo "  $name: group ${groups[$name]}, $(group_regions "/dev/mapper/$name" "${groups[$name]}" | wc -l) regions"
	done
	[ -z "${5:-}" ] || reads_add_up /mnt/f
	stamped-blocks write /mnt/f $((pieces * 64)) 512 "$tag"
	if ! poll_until 15 every_group_as_stamped "$tag"; then
		show_differences "$tag"
		fail "the groups did not follow the file's growth"
	fi
	[ "${5:-}" != lifecycle ] || lifecycle "${names[1]}"
	for pid in $(daemon_pids); do kill "$pid"; done
	wait_until 10 no_daemon
	umount /mnt
	[ ${#loops[@]} = 0 ] || losetup -d "${loops[@]}"
	for name in "${names[@]}"; do dmsetup remove "$name"; done
}

require_daemon
modprobe btrfs
several raid1 2 0 16 lifecycle
several single 2 0 48 reads
several raid0 2 0 16
several raid10 2 2 16
echo "ok: one exact group per dm device, reads adding up, growth followed"
