# shellcheck shell=bash
# Helpers for scripts run in the test guest by tests/vm/run.
# Source it first:   . /test/lib.sh
# Scripts are best run with `set -eu`: a helper that fails inside $(...)
# only ends that subshell, and set -e then ends the script.
#
# Sizes and offsets are in 512-byte sectors unless a name says otherwise.

# Sectors between the start of the scratch disk and the start of a device
# made by make_linear (3 MiB): device and disk sector numbers then differ.
LINEAR_OFFSET=6144

# fail MSG...: prints MSG on stderr and ends the script with status 1.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# step MSG...: prints a heading, so that a failing test's output tells where.
step() {
	echo "== $*"
}

# assert_eq EXPECTED ACTUAL [WHAT]: fails unless the two strings are equal.
assert_eq() {
	[ "$1" = "$2" ] ||
		fail "${3:-value}: expected '$1', got '$2'"
}

# assert_match REGEX ACTUAL [WHAT]: fails unless ACTUAL matches the ERE.
assert_match() {
	printf '%s\n' "$2" | grep -qE -- "$1" ||
		fail "${3:-value}: '$2' does not match /$1/"
}

# now_ms: milliseconds since the epoch.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# snooze SECONDS: sleeps without a process of its own: read waits for a
# line from a pipe nobody writes to.  On the emulated CPU a fork and exec
# for each 20 ms of a wait cost more than the wait, and took the CPU from
# the daemon under test.
SNOOZE_FIFO=/run/lib-snooze
[ -p "$SNOOZE_FIFO" ] || mkfifo "$SNOOZE_FIFO" 2>/dev/null || true
snooze() {
	if [ -p "$SNOOZE_FIFO" ]; then
		read -r -t "$1" _ <>"$SNOOZE_FIFO" || true
	else
		sleep "$1"
	fi
}

# poll_until TIMEOUT_S CMD...: runs CMD until it succeeds; returns 1 after
# TIMEOUT_S seconds (fractions allowed: 0.5), so that the caller can show
# why.  CMD runs every 20 ms for the first 2 s, then every 100 ms, and
# after 10 s every 250 ms: a moment measured through a long wait is known
# to a quarter second, and a minute's wait does not keep the emulated CPU
# busy with CMD.  The clock is read without a subshell.
poll_until() {
	local limit_ms start now
	limit_ms=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')
	shift
	start=$((${EPOCHREALTIME/./} / 1000))
	until "$@"; do
		now=$((${EPOCHREALTIME/./} / 1000 - start))
		[ "$now" -lt "$limit_ms" ] || return 1
		if [ "$now" -lt 2000 ]; then
			snooze 0.02
		elif [ "$now" -lt 10000 ]; then
			snooze 0.1
		else
			snooze 0.25
		fi
	done
}

# wait_until TIMEOUT_S CMD...: poll_until, failing the script on timeout.
wait_until() {
	poll_until "$@" || fail "timed out after $1 s waiting for: ${*:2}"
}

# The tests look at dm-stats through a control node of their own, which
# no daemon watches: a daemon checks its group when another process has
# used /dev/mapper/control (dmfilemapd(8), TIMING), so looking through
# that node would change what is looked at.
UNWATCHED_DEV_DIR=/run/unwatched

# unwatched CMD...: runs the device-mapper tool CMD through that node.
# Devices are then named by their name: that node's tools do not take
# /dev/mapper/NAME for one of theirs.
unwatched() {
	local node=$UNWATCHED_DEV_DIR/mapper/control type
	if [ ! -c "$node" ]; then
		type=$(stat -c '0x%t 0x%T' /dev/mapper/control) ||
			fail "no /dev/mapper/control to copy"
		mkdir -p "${node%/*}"
		# shellcheck disable=SC2086 # $type is the major and the minor
		mknod "$node" c $type || fail "cannot make $node"
	fi
	DM_DEV_DIR=$UNWATCHED_DEV_DIR "$@"
}

# disk_sectors DEV: the size of block device DEV in sectors.
disk_sectors() {
	blockdev --getsz "$1"
}

# make_linear NAME [DISK] [SIZE_MB]: creates dm-linear device NAME on DISK
# (default /dev/vda) starting LINEAR_OFFSET sectors in, SIZE_MB MiB long
# (default: the rest of the disk); prints /dev/mapper/NAME.
make_linear() {
	local name=$1 disk=${2:-/dev/vda} size_mb=${3:-} len
	if [ -n "$size_mb" ]; then
		len=$((size_mb * 2048))
	else
		len=$(($(disk_sectors "$disk") - LINEAR_OFFSET))
	fi
	dmsetup create "$name" --table "0 $len linear $disk $LINEAR_OFFSET" ||
		fail "cannot create dm-linear device $name on $disk"
	# Without udev, libdevmapper makes the node itself; check it did.
	[ -b "/dev/mapper/$name" ] || fail "/dev/mapper/$name was not created"
	echo "/dev/mapper/$name"
}

# make_fs ext4|xfs|btrfs DEV MOUNTPOINT [MOUNT_OPTIONS]: makes a new file
# system on DEV and mounts it (btrfs: data single, metadata DUP).
make_fs() {
	local type=$1 dev=$2 dir=$3 options=${4:-defaults}
	case $type in
	ext4) mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 $dev failed" ;;
	xfs)
		modprobe xfs || fail "cannot load the xfs module"
		mkfs.xfs -q -f "$dev" || fail "mkfs.xfs $dev failed (xfs needs 300 MB or more)"
		;;
	btrfs)
		modprobe btrfs || fail "cannot load the btrfs module"
		mkfs.btrfs -q -f "$dev" >/dev/null 2>&1 || fail "mkfs.btrfs $dev failed"
		;;
	*) fail "make_fs: unknown file system type '$type'" ;;
	esac
	mkdir -p "$dir"
	mount -t "$type" -o "$options" "$dev" "$dir" || fail "cannot mount $dev on $dir"
}

# stats_list DEV: the kernel's list of DEV's regions, one per line:
# "<id>: <start>+<len> <step> <program_id> <aux>[ precise_timestamps][ histogram:...]".
stats_list() {
	unwatched dmsetup message "${1#/dev/mapper/}" 0 @stats_list
}

# region_rows DEV: the kernel's list of DEV's regions as "ID START LEN
# MEMBERS ALIAS" lines: MEMBERS the member list of the group descriptor
# the region carries (like 0-4,7; "-" for none), ALIAS its alias without
# the quotes of libdevmapper 1.02.197 and later (DMS_GROUP="a b":0-4#-);
# the alias may hold blanks, and is the rest of the line.
region_rows() {
	local list
	list=$(stats_list "$1") || fail "cannot list the regions of $1"
	printf '%s\n' "$list" | awk '
		{
			id = $1; sub(/:$/, "", id); split($2, r, "+")
			# aux_data: after the program id, before the options.
			aux = $0
			sub(/^[0-9]+: [0-9]+\+[0-9]+ [0-9]+ [^ ]+ /, "", aux)
			sub(/ histogram:[0-9,]+$/, "", aux)
			sub(/ precise_timestamps$/, "", aux)
			members = "-"; alias = ""
			if (substr(aux, 1, 10) == "DMS_GROUP=" && (c = index(aux, ":")) > 0) {
				alias = substr(aux, 11, c - 11)
				if (alias ~ /^".*"$/ && length(alias) >= 2) alias = substr(alias, 2, length(alias) - 2)
				members = substr(aux, c + 1)
				sub(/#.*/, "", members)
			}
			print id, r[1], r[2], members, alias
		}'
}

# group_regions DEV GROUP_ID: prints the group's member regions as
# "id start len" lines, in the descriptor's order.  The members are those listed in the
# leader's aux_data: DMS_GROUP=<alias>:<members like 0-4,7>[#<user aux>].
group_regions() {
	local rows
	rows=$(region_rows "$1") || exit 1
	printf '%s\n' "$rows" | awk -v gid="$2" -v dev="$1" '
		function die(msg) { print "FAIL: " msg > "/dev/stderr"; failed = 1; exit 1 }
		{ start[$1] = $2; len[$1] = $3; list[$1] = $4 }
		END {
			if (failed) exit 1
			if (!(gid in list)) die("group " gid " on " dev ": no region " gid)
			a = list[gid]
			if (a == "-") die("region " gid " on " dev " leads no group")
			n = split(a, parts, ",")
			for (i = 1; i <= n; i++) {
				lo = hi = parts[i]
				if (parts[i] ~ /-/) { split(parts[i], b, "-"); lo = b[1]; hi = b[2] }
				for (m = lo + 0; m <= hi + 0; m++) {
					if (!(m in start)) die("group " gid " on " dev " names region " m ", which does not exist")
					print m, start[m], len[m]
				}
			}
		}'
}

# group_id_of DEV ALIAS: prints the current id of the group named ALIAS on
# DEV.  A group's id is its lowest member's, so it changes when the daemon
# replaces the leader's region (a hole at the file's start, say).
group_id_of() {
	local id
	id=$(region_rows "$1" | awk -v alias="$2" '
		$4 != "-" {
			a = $0
			sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", a)
			if (a == alias) { print $1; exit }
		}')
	[ -n "$id" ] || fail "no group named '$2' on $1"
	echo "$id"
}

# file_extents FILE [DEV]: prints the physically contiguous ranges FILE
# occupies, as "start len" lines in sectors of the device the file system
# is on (of DEV, which a btrfs file needs), in file order.  Extents without a
# known place (delalloc, inline) are left out: sync first for a file with
# unwritten-back data.  FIEMAP (filefrag) says where; for a btrfs file
# with compressed extents, whose place on disk FIEMAP does not give, the
# file's extent items do (btrfs_item_extents).
file_extents() {
	local map
	map=$(filefrag -e -b512 "$1") || fail "filefrag cannot map $1"
	if [ "$(stat -f -c %T "$1")" = btrfs ]; then
		if printf '%s\n' "$map" | grep -q encoded; then
			btrfs_item_extents "$1" "${2:?file_extents: a btrfs file needs DEV}"
		else
			printf '%s\n' "$map" | logical_extents
		fi | btrfs_on_device "$1" "${2:?file_extents: a btrfs file needs DEV}"
		return
	fi
	printf '%s\n' "$map" | logical_extents
}

# btrfs_item_extents FILE DEV: the logical ranges FILE's reads make btrfs
# read, as "start len" lines in sectors, from the file's EXTENT_DATA items
# as btrfs-progs prints them from DEV (after a sync): a compressed extent
# whole on disk, an uncompressed one where the item refers into it; holes
# and inline data left out.
btrfs_item_extents() {
	local file=$1 dev=$2 ino root
	case $dev in /*) ;; *) dev=/dev/mapper/$dev ;; esac
	ino=$(stat -c %i "$file")
	root=$(btrfs inspect-internal rootid "$file") || fail "no subvolume id for $file"
	sync -f "$file"
	blockdev --flushbufs "$dev"
	# An item: "item N key (INO EXTENT_DATA OFFSET) ...", then "extent data
	# disk byte D nr DN", "extent data offset O nr N ram R", "extent
	# compression C (name)" (prealloc: "prealloc data ...", no compression).
	btrfs inspect-internal dump-tree -t "$root" "$dev" | awk -v key="($ino EXTENT_DATA " '
		function flush() {
			if (mine && disk != 0)
				if (comp != 0) print disk / 512, dlen / 512
				else print (disk + off) / 512, num / 512
			mine = 0
		}
		$1 == "item" && $3 == "key" { flush(); mine = index($0, key) > 0; disk = comp = 0; next }
		mine && $2 == "data" && $3 == "disk" { disk = $5; dlen = $7 }
		mine && $2 == "data" && $3 == "offset" { off = $4; num = $6 }
		mine && $1 == "extent" && $2 == "compression" { comp = $3 }
		END { flush() }'
}

# btrfs_on_device FILE DEV: reads "start len" lines of logical sectors of
# FILE's btrfs, prints "start len" lines of the ranges of DEV that hold
# them, as the file system's chunk tree on disk says it (after a sync, read
# by btrfs inspect-internal dump-tree): for each chunk stripe on DEV, its
# offset on DEV plus the distance from the chunk's start.  Profiles whose
# stripes hold copies only (single, DUP, RAID1*); a striped one fails.
btrfs_on_device() {
	local file=$1 dev=$2 devid chunks
	case $dev in /*) ;; *) dev=/dev/mapper/$dev ;; esac
	sync -f "$file"
	blockdev --flushbufs "$dev"
	devid=$(btrfs inspect-internal dump-super "$dev" | awk '$1 == "dev_item.devid" { print $2 }')
	[ -n "$devid" ] || fail "no btrfs device id in the superblock of $dev"
	# "start length type devid offset" per stripe, in bytes.
	chunks=$(btrfs inspect-internal dump-tree -t chunk "$dev" | awk '
		/CHUNK_ITEM/ { match($0, /CHUNK_ITEM [0-9]+/); start = substr($0, RSTART + 11, RLENGTH - 11) }
		$1 == "length" { len = $2; type = $NF }
		$1 == "stripe" && $3 == "devid" { print start, len, type, $4, $6 }')
	[ -n "$chunks" ] || fail "btrfs inspect-internal dump-tree found no chunk on $dev"
	awk -v devid="$devid" -v chunks="$chunks" '
		BEGIN {
			n = split(chunks, line, "\n")
			for (i = 1; i <= n; i++) {
				split(line[i], f, " ")
				if (f[4] != devid) continue
				if (f[3] ~ /RAID0|RAID10|RAID5|RAID6/) { print "striped chunk: " f[3] > "/dev/stderr"; exit 1 }
				k++; cs[k] = f[1] / 512; cl[k] = f[2] / 512; co[k] = f[5] / 512
			}
		}
		{
			at = $1; end = $1 + $2
			while (at < end) {
				found = 0
				for (i = 1; i <= k; i++) {
					if (at < cs[i] || at >= cs[i] + cl[i]) continue
					stop = end < cs[i] + cl[i] ? end : cs[i] + cl[i]
					printf "%d %d\n", co[i] + at - cs[i], stop - at
					found = stop
				}
				if (!found) { printf "logical sector %d lies in no chunk on device %s\n", at, devid > "/dev/stderr"; exit 1 }
				at = found
			}
		}' || fail "cannot map the btrfs logical ranges of $file onto $dev"
}

# logical_extents: filefrag -e -b512 output to "start len" lines of the
# physically contiguous ranges, file order; extents without a place or not
# counted on their own (delalloc, inline, encoded) are left out.
logical_extents() {
	awk '
		# Extent lines: " 0: 0.. 15: 34816.. 34831: 16: [expected:] flags"
		/^ *[0-9]+:/ {
			line = $0
			gsub(/ /, "", line)
			n = split(line, f, ":")
			split(f[3], phys, /\.\./)
			len = f[4]
			flags = f[n]
			if (flags ~ /unknown_loc|delalloc|inline|not_aligned|data_inline|encoded/ || len == 0)
				next
			if (have && phys[1] == start + size) {
				size += len
				next
			}
			if (have) print start, size
			start = phys[1]; size = len; have = 1
		}
		END { if (have) print start, size }'
}

# merge_ranges: reads "start len" lines, prints their union as sorted,
# merged "start len" lines; fails on an overlap when $1 is "strict".
merge_ranges() {
	sort -n -k1,1 | awk -v strict="${1:-}" '
		{
			if (have && $1 < end) {
				if (strict == "strict") { print "overlap at sector " $1 > "/dev/stderr"; bad = 1 }
				if ($1 + $2 > end) end = $1 + $2
				next
			}
			if (have && $1 == end) { end += $2; next }
			if (have) print start, end - start
			start = $1; end = $1 + $2; have = 1
		}
		END { if (have) print start, end - start; exit bad }'
}

# check_group FILE DEV GROUP_ID: fails unless the group's regions cover
# exactly the sectors of FILE's mapped extents, without overlapping, and
# `dmstats list --group` shows the group on DEV.
check_group() {
	local file=$1 dev=$2 gid=$3 regions extents covered listed
	regions=$(group_regions "$dev" "$gid") || exit 1
	extents=$(file_extents "$file" "$dev" | merge_ranges) || exit 1
	covered=$(printf '%s\n' "$regions" | awk '{ print $2, $3 }' | merge_ranges strict) ||
		{ echo "$regions" >&2; fail "group $gid on $dev has overlapping regions"; }
	if [ "$covered" != "$extents" ]; then
		{
			echo "file extents of $file (start len):"
			printf '%s\n' "$extents" | sed 's/^/  /'
			echo "regions of group $gid (id start len):"
			printf '%s\n' "$regions" | sed 's/^/  /'
		} >&2
		fail "group $gid on $dev does not cover $file exactly"
	fi
	listed=$(unwatched dmstats list --group --noheadings --separator : -o group_id,obj_type "${dev#/dev/mapper/}" |
		awk -F: -v id="$gid" '$1 == id && $2 == "group"')
	[ -n "$listed" ] || fail "dmstats list --group does not show group $gid on $dev"
}

# daemon_pids: prints the pid of every running dmfilemapd.
daemon_pids() {
	local dir argv
	for dir in /proc/[0-9]*; do
		{ mapfile -d '' -t argv <"$dir/cmdline"; } 2>/dev/null || continue
		[ ${#argv[@]} -gt 0 ] && [ "${argv[0]##*/}" = dmfilemapd ] && echo "${dir#/proc/}"
	done
	return 0
}

# daemon_pid_for GROUP_ID [FILE]: prints the pid of the dmfilemapd that
# watches group GROUP_ID (and FILE, when given); fails when none does.
daemon_pid_for() {
	local pid argv found=
	for pid in $(daemon_pids); do
		{ mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || continue
		[ "${argv[2]:-}" = "$1" ] || continue
		[ -z "${2:-}" ] || [ "${argv[3]:-}" = "$2" ] || continue
		found=$pid
		echo "$pid"
	done
	[ -n "$found" ]
}

# daemon_cmdline PID: prints the process's arguments separated by blanks.
daemon_cmdline() {
	local argv
	mapfile -d '' -t argv <"/proc/$1/cmdline" || fail "no process $1"
	echo "${argv[*]}"
}

# settled PID: the daemon runs as it will go on: in the foreground (its
# FOREGROUND argument 1), or detached, the leader of a session of its own.
# Until then the pid is of the process that started, which exits once its
# child has detached; dmstats does not wait for that.
settled() {
	local argv stat fields
	{ mapfile -d '' -t argv <"/proc/$1/cmdline"; } 2>/dev/null || return 1
	[ "${argv[5]:-0}" = 1 ] && return 0
	{ IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	# After the command's name: state, parent, process group, session.
	read -r -a fields <<<"${stat##*) }"
	[ "${fields[3]:-}" = "$1" ]
}

# found_daemon GROUP_ID [FILE]: daemon_pid_for, keeping the first pid of
# a settled daemon in $found_pid.
found_daemon() {
	local pid
	for pid in $(daemon_pid_for "$@"); do
		settled "$pid" && { found_pid=$pid; return 0; }
	done
	return 1
}

# wait_for_daemon GROUP_ID [FILE]: waits up to 10 s for the group's daemon
# to run, settled, and prints its pid: the one it found, as a second look
# could find it gone.
wait_for_daemon() {
	local found_pid=
	wait_until 10 found_daemon "$@"
	echo "$found_pid"
}

# require_daemon: fails unless the guest has the project's dmfilemapd.
require_daemon() {
	[ -x /usr/sbin/dmfilemapd ] ||
		fail "the guest has no /usr/sbin/dmfilemapd: build it first (make)"
}

# filemap_create FILE [DMSTATS_OPTIONS...]: runs Debian's
# `dmstats create --filemap FILE` (which starts dmfilemapd unless given
# --nomonitor), or for a file on btrfs `dmfilemapd --create FILE`, and
# prints the new group's id.
filemap_create() {
	local file=$1 log=/tmp/filemap_create.$$ out gid
	shift
	# Through a file, not a pipe: the daemon inherits dmstats's stdout, and
	# $(...) would wait for every holder of the pipe to close it.
	if [ "$(stat -f -c %T "$file")" = btrfs ]; then
		# dmstats refuses btrfs: the daemon makes the group itself.
		[ $# = 0 ] || fail "filemap_create: no dmstats options on btrfs ($*)"
		dmfilemapd --create "$file" >"$log" 2>&1 ||
			fail "dmfilemapd --create $file failed: $(cat "$log")"
	else
		dmstats create --filemap "$file" "$@" >"$log" 2>&1 ||
			fail "dmstats create --filemap $file failed: $(cat "$log")"
	fi
	out=$(cat "$log")
	rm -f "$log"
	# "FILE: Created new group with N region(s) as group ID G."
	gid=$(printf '%s\n' "$out" | sed -n 's/.*as group ID \([0-9][0-9]*\)\.$/\1/p')
	[ -n "$gid" ] || fail "no group id in dmstats output: $out"
	echo "$gid"
}

# The helpers of the cases themselves live beside this file.
# shellcheck source=tests/vm/lib-cases.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-cases.sh"

# libdevmapper_of PID|FILE: the libdevmapper files process PID has mapped,
# or the one the dynamic loader would load for executable FILE under the
# current environment (LD_LIBRARY_PATH too; the guest has no ldd(1), so
# the loader lists them itself), one path a line.
libdevmapper_of() {
	if [[ $1 =~ ^[0-9]+$ ]]; then
		awk '$6 ~ /\/libdevmapper\.so/ { print $6 }' "/proc/$1/maps" | sort -u
	else
		/usr/lib64/ld-linux-x86-64.so.2 --list "$1" |
			awk '$1 ~ /^libdevmapper\.so/ && $2 == "=>" { print $3 }'
	fi
}

# assert_libdm NAME VERSION: the script runs on the libdevmapper build NAME
# that tests/vm/run --libdm put in the guest: its dmstats and dmsetup come
# first on PATH, and dmstats reports library VERSION (like 1.02.205).
assert_libdm() {
	local build=/opt/libdm/$1 version
	assert_eq "$1" "${DMFILEMAPD_TEST_LIBDM:-}" DMFILEMAPD_TEST_LIBDM
	assert_eq "$build/sbin/dmstats" "$(command -v dmstats)" "dmstats on PATH"
	assert_eq "$build/sbin/dmsetup" "$(command -v dmsetup)" "dmsetup on PATH"
	version=$(dmstats version | sed -n 's/^Library version: *//p')
	assert_match "^${2//./\\.} " "$version" "dmstats's library version"
}

# ---- The systemd guest (tests/vm/run --systemd) -----------------------------

# There systemd mounts /run nodev, where no device node opens: the
# unwatched control node goes to /dev instead.
if findmnt -n -o OPTIONS -T /run 2>/dev/null | tr ',' '\n' | grep -qx nodev; then
	UNWATCHED_DEV_DIR=/dev/unwatched
fi

# linear_at_boot NAME [DISK] [SIZE_MB]: make_linear, and a unit
# (vm-linear-NAME.service, enabled) that makes the same device again early
# in every later boot, before the file systems of /etc/fstab are mounted:
# a device of `dmsetup create` does not outlive a reboot.  Prints
# /dev/mapper/NAME.
linear_at_boot() {
	local name=$1 disk=${2:-/dev/vda} dev table disk_unit
	dev=$(make_linear "$@") || exit 1
	# "0 LEN linear MAJOR:MINOR OFFSET", with the disk by its name.
	table=$(dmsetup table "$name" | awk -v disk="$disk" '{ $4 = disk; print }') ||
		fail "cannot read the table of $name"
	disk_unit=$(systemd-escape -p --suffix=device "$disk")
	cat >"/etc/systemd/system/vm-linear-$name.service" <<-EOF2 || fail "cannot write the unit of $name"
		[Unit]
		Description=dm-linear device $name on $disk (tests/vm/lib.sh linear_at_boot)
		DefaultDependencies=no
		Requires=$disk_unit
		After=$disk_unit systemd-udevd.service systemd-modules-load.service
		Wants=local-fs-pre.target
		Before=local-fs-pre.target shutdown.target
		Conflicts=shutdown.target

		[Service]
		Type=oneshot
		RemainAfterExit=yes
		ExecStart=/usr/sbin/dmsetup create $name --table "$table"

		[Install]
		WantedBy=sysinit.target
	EOF2
	systemctl --quiet enable "vm-linear-$name.service" || fail "cannot enable vm-linear-$name.service"
	echo "$dev"
}
