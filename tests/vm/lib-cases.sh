# shellcheck shell=bash
# Sourced by lib.sh in the guest: the helpers the test cases share, built
# on lib.sh's own (retrying checks, counters, the extent cap, processes, the
# behaviour cases' assertions).

# ---- Retrying checks, counters, the extent cap, processes ----------------

# holds CMD...: runs CMD in a subshell with its stderr dropped and succeeds
# when it does.  Helpers such as check_group end the script through fail;
# wrapped in holds they can be retried: wait_until 30 holds check_group ...
holds() {
	("$@") 2>/dev/null
}

# wait_in_step TIMEOUT_S FILE DEV GROUP_ID: waits until check_group holds;
# on timeout runs it once more in the open, so that the failure says why.
wait_in_step() {
	local limit=$1
	shift
	if ! (wait_until "$limit" holds check_group "$@") 2>/dev/null; then
		check_group "$@"
		fail "group $3 on $2 took more than ${limit}s to match $1"
	fi
}

# region_reads DEV ID: the reads region ID has counted so far: the second
# field of its @stats_print line(s).  Unlike `dmstats report`, this does
# not clear the counters.
region_reads() {
	local out
	out=$(unwatched dmsetup message "${1#/dev/mapper/}" 0 @stats_print "$2") ||
		fail "cannot print the counters of region $2 on $1"
	printf '%s\n' "$out" | awk '{ n += $2 } END { print n + 0 }'
}

# group_reads DEV GROUP_ID: the reads counted by all the group's members.
group_reads() {
	local ids id n total=0
	ids=$(group_members "$1" "$2") || exit 1
	for id in $ids; do
		n=$(region_reads "$1" "$id") || exit 1
		total=$((total + n))
	done
	echo "$total"
}

# group_id_by_alias DEV ALIAS: prints the id of the region whose aux_data
# holds the descriptor of the group named ALIAS (the group's current id,
# which changes with its lowest region); fails unless exactly one does.
group_id_by_alias() {
	local rows ids
	rows=$(region_rows "$1") || exit 1
	ids=$(printf '%s\n' "$rows" | awk -v alias="$2" '
		$4 != "-" {
			a = $0
			sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", a)
			if (a == alias) print $1
		}')
	[ -n "$ids" ] || fail "no group named $2 on $1"
	[ "$(printf '%s\n' "$ids" | wc -l)" = 1 ] ||
		fail "more than one group named $2 on $1: ${ids//$'\n'/ }"
	echo "$ids"
}

# regions_per_extent FILE DEV GROUP_ID: for each physically contiguous
# range of FILE's data prints "start len count", count being how many of
# the group's regions lie inside it (the unit dmfilemapd(8) caps).
regions_per_extent() {
	local regions extents
	regions=$(group_regions "$2" "$3") || exit 1
	extents=$(file_extents "$1" "$2" | merge_ranges) || exit 1
	{
		printf '%s\n' "$regions" | awk 'NF { print "R", $2, $3 }'
		printf '%s\n' "$extents" | awk 'NF { print "E", $1, $2 }'
	} | awk '
		$1 == "R" { rs[++nr] = $2; rl[nr] = $3; next }
		{
			c = 0
			for (i = 1; i <= nr; i++)
				if (rs[i] >= $2 && rs[i] + rl[i] <= $2 + $3) c++
			print $2, $3, c
		}'
}

# most_regions_per_extent FILE DEV GROUP_ID: the largest count above.
most_regions_per_extent() {
	local counts
	counts=$(regions_per_extent "$@") || exit 1
	printf '%s\n' "$counts" | awk '$3 > m { m = $3 } END { print m + 0 }'
}

# process_gone PID: succeeds once process PID has ended.  A zombie counts
# as ended: a daemon that detached is reaped by init, perhaps late.
process_gone() {
	local stat
	# read, not cat: a wait calls this every few ms.
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	stat=${stat##*) }
	[ "${stat%% *}" = Z ]
}

# group_members DEV GROUP_ID: prints the ids of the group's member regions,
# one a line, as its descriptor lists them.
group_members() {
	local regions
	regions=$(group_regions "$1" "$2") || exit 1
	printf '%s\n' "$regions" | awk '{ print $1 }'
}

# start_syslog: runs busybox's syslogd, which the guest's init uses, so that
# a detached daemon's messages land in $SYSLOG_FILE; show_syslog_on_failure
# then prints them if the script fails.
SYSLOG_FILE=/tmp/syslog
start_syslog() {
	local busybox=/usr/lib/vm/busybox
	[ -x "$busybox" ] || fail "no $busybox in the guest to run syslogd"
	"$busybox" syslogd -n -O "$SYSLOG_FILE" &
	wait_until 5 test -S /dev/log
}

show_syslog_on_failure() {
	trap 'status=$?
		if [ "$status" != 0 ] && [ -s "$SYSLOG_FILE" ]; then
			echo "the last messages in syslog:"
			tail -n "${SYSLOG_LINES:-40}" "$SYSLOG_FILE"
		fi
		exit "$status"' EXIT
}

# ---- Helpers for the behaviour cases (grow, shrink, follow, signals...) ----

# group_matches FILE DEV ALIAS: check_group on the group now called ALIAS
# (a group's id is its lowest region's, and changes when a daemon replaces
# that region, so cases that rewrite or replace a file name groups by alias).
group_matches() {
	local gid
	gid=$(group_id_by_alias "$2" "$3" 2>/dev/null) || {
		stats_list "$2" | sed 's/^/  region: /' >&2
		fail "no single group '$3' on $2"
	}
	check_group "$1" "$2" "$gid"
}

# wait_group FILE DEV ALIAS [TIMEOUT_S]: waits (10 s by default) until group
# ALIAS covers FILE exactly; on timeout shows the mismatch and fails.
wait_group() {
	poll_until "${4:-10}" holds group_matches "$1" "$2" "$3" && return 0
	group_matches "$1" "$2" "$3"
	fail "group '$3' matched $1 only after the ${4:-10} s wait"
}

# fragmented_file FILE PIECES [MIB]: makes FILE of PIECES pieces of MIB MiB
# (default 1), growing FILE.filler by as much after each piece, so that the
# pieces land apart on the device and FILE has several extents.
fragmented_file() {
	local file=$1 pieces=$2 mib=${3:-1} i
	for ((i = 1; i <= pieces; i++)); do
		fallocate -l "$((i * mib))M" "$file"
		fallocate -l "$((i * mib))M" "$file.filler"
	done
}

# stray_regions DEV: prints the ids of DEV's regions that no group lists,
# e.g. regions a daemon should have deleted or failed to group.
stray_regions() {
	region_rows "$1" | awk '
		{
			seen[$1] = 1
			if ($4 == "-") next
			n = split($4, part, ",")
			for (i = 1; i <= n; i++) {
				if (split(part[i], r, "-") == 2)
					for (j = r[1] + 0; j <= r[2] + 0; j++) member[j] = 1
				else
					member[part[i] + 0] = 1
			}
		}
		END { for (id in seen) if (!((id + 0) in member)) print id }' | sort -n
}

# assert_no_strays DEV: fails when a region of DEV is outside every group.
assert_no_strays() {
	local strays
	strays=$(stray_regions "$1")
	[ -z "$strays" ] || {
		stats_list "$1" >&2
		fail "regions outside any group on $1: ${strays//$'\n'/ }"
	}
}

# lies_within START LEN RANGES: whether START+LEN lies inside one of RANGES
# ("start len" lines).
lies_within() {
	printf '%s\n' "$3" | awk -v s="$1" -v l="$2" '
		$1 <= s && s + l <= $1 + $2 { found = 1 } END { exit !found }'
}

# assert_kept OLD_REGIONS FILE DEV ALIAS: every region of OLD_REGIONS ("id
# start len" lines, as group_regions prints them) that still lies wholly on
# FILE's data must still be a member with the same id and range: the daemon
# keeps such regions, and their counters with them.  Fails when no old region
# lies on the data, as the check would then prove nothing.
assert_kept() {
	local old=$1 file=$2 dev=$3 alias=$4 gid now extents id start len n=0
	gid=$(group_id_by_alias "$dev" "$alias")
	now=$(group_regions "$dev" "$gid")
	extents=$(file_extents "$file" "$dev" | merge_ranges)
	while read -r id start len; do
		lies_within "$start" "$len" "$extents" || continue
		printf '%s\n' "$now" | grep -qx "$id $start $len" ||
			fail "region $id ($start+$len) still lies on $file's data but was replaced"
		n=$((n + 1))
	done <<<"$old"
	[ "$n" -gt 0 ] || fail "assert_kept: no old region lies on $file's data"
}

# is_daemon PID: whether PID runs dmfilemapd (and has not ended).
is_daemon() {
	local argv
	{ mapfile -d '' -t argv <"/proc/$1/cmdline"; } 2>/dev/null || return 1
	[ ${#argv[@]} -gt 0 ] && [ "${argv[0]##*/}" = dmfilemapd ]
}

# assert_running PID [WHAT]: fails unless PID is a running dmfilemapd.
assert_running() {
	is_daemon "$1" || fail "${2:-the daemon} (pid $1) is not running"
}

# assert_exit STATUS PID TIMEOUT_S [WHAT]: waits up to TIMEOUT_S for the
# script's child PID to end and checks its exit status.
assert_exit() {
	local want=$1 pid=$2 got=0
	wait_until "$3" process_gone "$pid"
	wait "$pid" || got=$?
	assert_eq "$want" "$got" "${4:-exit status of pid $pid}"
}

# wait_log LOG ERE [TIMEOUT_S]: waits (10 s by default) for a line of LOG
# matching ERE; shows LOG on timeout.
wait_log() {
	poll_until "${3:-10}" grep -qE -- "$2" "$1" && return 0
	sed 's/^/  log: /' "$1" >&2
	fail "no line matching /$2/ in $1"
}

# filemap_foreground LOG FILE [DMSTATS_OPTIONS...]: runs Debian's
# `dmstats create --filemap FILE --foreground` in the background with its
# stderr in LOG; dmstats then execs the daemon in place, so the pid is the
# daemon's and the script can wait for its exit status.  Sets FG_PID and
# FG_GID (the group id dmstats passed).  Call it directly, not in $(...).
# dmstats's own "Created new group" line is lost: its stdout buffer does
# not survive the exec.
filemap_foreground() {
	local log=$1 file=$2 argv
	shift 2
	dmstats create --filemap "$file" --foreground "$@" >/dev/null 2>"$log" &
	FG_PID=$!
	poll_until 10 is_daemon "$FG_PID" || {
		cat "$log" >&2
		fail "dmstats create --filemap $file --foreground did not become dmfilemapd"
	}
	mapfile -d '' -t argv <"/proc/$FG_PID/cmdline"
	# shellcheck disable=SC2034 # for the caller
	FG_GID=${argv[2]}
}

# fd_targets PID: prints where each of PID's fds points, as "fd target".
fd_targets() {
	local link
	for link in /proc/"$1"/fd/*; do
		echo "${link##*/} $(readlink "$link")"
	done | sort -n
}

# assert_allocated FILE: fails while some of FILE's data has no place on the
# device yet (delayed allocation), which file_extents leaves out.
assert_allocated() {
	local report
	report=$(filefrag -e "$1") || fail "filefrag cannot map $1"
	if printf '%s\n' "$report" | grep -qE 'delalloc|unknown_loc'; then
		printf '%s\n' "$report" >&2
		fail "$1 still has data awaiting allocation"
	fi
}

# assert_refused DEV STATUS MESSAGE REDIRECTION ARGS...: runs
# `dmfilemapd ARGS REDIRECTION` (REDIRECTION such as '3</mnt/f', or '')
# and checks that it exits with STATUS, prints exactly MESSAGE on stderr
# and nothing on stdout, leaves no daemon behind and no region of DEV
# changed.
assert_refused() {
	local dev=$1 want_status=$2 want=$3 redirection=$4 status=0 before
	shift 4
	before=$(stats_list "$dev")
	eval 'dmfilemapd "$@" '"$redirection"' >/tmp/refused.out 2>/tmp/refused.err' || status=$?
	assert_eq "$want" "$(cat /tmp/refused.err)" "stderr of dmfilemapd $*"
	assert_eq "$want_status" "$status" "exit status of dmfilemapd $*"
	assert_eq "" "$(cat /tmp/refused.out)" "stdout of dmfilemapd $*"
	assert_eq "" "$(daemon_pids)" "daemons left by dmfilemapd $*"
	assert_eq "$before" "$(stats_list "$dev")" "regions after dmfilemapd $*"
}

# waiting_in_poll PID: the process sleeps in poll(), its idle state.
waiting_in_poll() {
	grep -q poll "/proc/$1/wchan"
}

# setup_mapped [OPTION...] [FILE [DMSTATS_OPTION...]]: the set-up most
# cases start with: a dm-linear device with a new file system mounted on
# it; with FILE, also FILE made there, its group made by `dmstats create
# --filemap FILE DMSTATS_OPTIONS` (on btrfs by `dmfilemapd --create`), its
# daemon waited for and the group checked against the file.  Call it
# directly, not in $(...): it sets dev (/dev/mapper/NAME), and with FILE
# gid and pid (the daemon's, empty with --nomonitor).  OPTIONs, defaults
# in brackets:
#   --fs TYPE         ext4, xfs or btrfs [ext4]
#   --disk DISK       the disk under the device [/dev/vda]
#   --size MB         the device's size [the rest of the disk]
#   --name NAME       the device's name [lin]
#   --mount DIR       where the file system is mounted [/mnt]
#   --pieces N        FILE in N pieces apart on the device (fragmented_file)
#   --piece MIB       the size of each piece [1]
#   --alloc SIZE      FILE allocated by one fallocate, SIZE such as 8M
#   --data MIB        MIB MiB of random bytes written from FILE's start and
#                     synced, over what --pieces or --alloc allocated
#   --nomonitor       the group made without a daemon
#   --foreground LOG  the daemon run by filemap_foreground, its stderr in
#                     LOG, and waited for until it is idle
setup_mapped() {
	local fs=ext4 disk=/dev/vda size='' name=lin dir=/mnt pieces='' piece=1 alloc='' data=''
	local start=spawned log='' file
	while [ $# -gt 0 ]; do
		case $1 in
		--nomonitor) start=none; shift; continue ;;
		--fs) fs=${2:?} ;;
		--disk) disk=${2:?} ;;
		--size) size=${2:?} ;;
		--name) name=${2:?} ;;
		--mount) dir=${2:?} ;;
		--pieces) pieces=${2:?} ;;
		--piece) piece=${2:?} ;;
		--alloc) alloc=${2:?} ;;
		--data) data=${2:?} ;;
		--foreground) start=foreground log=${2:?} ;;
		--*) fail "setup_mapped: unknown option $1" ;;
		*) break ;;
		esac
		shift 2
	done
	dev=$(make_linear "$name" "$disk" "$size")
	make_fs "$fs" "$dev" "$dir"
	[ $# -gt 0 ] || return 0
	file=$1
	shift
	[ -z "$pieces" ] || fragmented_file "$file" "$pieces" "$piece"
	[ -z "$alloc" ] || fallocate -l "$alloc" "$file"
	[ -z "$data" ] ||
		dd if=/dev/urandom of="$file" bs=1M count="$data" conv=notrunc,fsync status=none
	case $start in
	spawned)
		gid=$(filemap_create "$file" "$@")
		pid=$(wait_for_daemon "$gid" "$file")
		;;
	none)
		gid=$(filemap_create "$file" --nomonitor "$@")
		pid=
		;;
	foreground)
		filemap_foreground "$log" "$file" "$@"
		gid=$FG_GID pid=$FG_PID
		wait_until 15 waiting_in_poll "$pid"
		;;
	esac
	check_group "$file" "$dev" "$gid"
}

# hand_started_daemon VERBOSE LOG: ext4 on a dm-linear device, a file
# /mnt/f of 1 MiB of data and its group made without a daemon; then
# dmfilemapd started by hand in the foreground in inode mode, its stderr in
# LOG, until it has said it started.  Sets dev, gid and daemon (its pid).
hand_started_daemon() {
	local verbose=$1 log=$2
	step "ext4 on a dm-linear device, a file of 1 MiB of data, its group"
	setup_mapped --data 1 --nomonitor /mnt/f
	step "the daemon by hand: dmfilemapd 3 $gid /mnt/f inode 1 $verbose"
	# shellcheck disable=SC2094 # the daemon only reads the file it follows
	dmfilemapd 3 "$gid" /mnt/f inode 1 "$verbose" 3</mnt/f 2>"$log" &
	# shellcheck disable=SC2034 # for the caller
	daemon=$!
	wait_until 15 grep -q "started: fd 3, group $gid " "$log"
}

# ---- Helpers for the fault cases (foreign regions, busy daemons, ...) ----

# region_line DEV ID: region ID's line of @stats_list, byte for byte, or
# nothing when there is no region ID.
region_line() {
	local list
	list=$(stats_list "$1") || fail "cannot list the regions of $1"
	printf '%s\n' "$list" | awk -v id="$2:" '$1 == id'
}

# region_counters DEV ID: region ID's counters summed over its areas, in
# @stats_print's order, without the I/Os in flight (the one counter that
# may go down).
region_counters() {
	local out
	out=$(unwatched dmsetup message "${1#/dev/mapper/}" 0 @stats_print "$2") ||
		fail "cannot print the counters of region $2 on $1"
	printf '%s\n' "$out" | awk '
		{ for (i = 2; i <= NF; i++) sum[i] += $i; if (NF > n) n = NF }
		END {
			for (i = 2; i <= n; i++) if (i != 10) line = line (i > 2 ? " " : "") sum[i] + 0
			print line
		}'
}

# assert_counters_not_lower OLD NEW WHAT: fails when a counter of NEW (as
# region_counters prints them) is below the same counter of OLD.
assert_counters_not_lower() {
	awk -v old="$1" -v new="$2" 'BEGIN {
		n = split(old, o, " "); split(new, c, " ")
		for (i = 1; i <= n; i++) if (c[i] + 0 < o[i] + 0) exit 1
	}' || fail "$3: counters went down from '$1' to '$2'"
}

# cpu_ticks PID: the user and system CPU time PID has used, in clock ticks.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || fail "no process $1"
	stat=${stat##*) }
	# After the command name: state is field 1, utime 12, stime 13.
	echo "$stat" | awk '{ print $12 + $13 }'
}

# fs_block DIR: the allocation unit of DIR's file system, in bytes.
fs_block() {
	stat -f -c %S "$1"
}

# striped_file FILE N: makes FILE N physically separate extents of 3 blocks:
# 4N blocks allocated in one go, then the last block of every 4 punched
# out, all in one xfs_io process.  split_stripes and restripe then
# change its layout in one go, so that a daemon has thousands of regions
# to make in one pass.
striped_file() {
	local b
	b=$(fs_block "$(dirname "$1")")
	rm -f "$1"
	xfs_io -f -c "falloc 0 $((4 * $2 * b))" "$1" >/dev/null 2>&1 ||
		fail "cannot allocate $1"
	stripe_punch "$1" "$2" 3
	assert_eq "$2" "$(file_extents "$1" | wc -l)" "extents of $1"
}

# stripe_punch FILE N K: punches block K (0-3) out of each of FILE's N
# stripes of 4 blocks.
stripe_punch() {
	local b
	b=$(fs_block "$(dirname "$1")")
	awk -v n="$2" -v k="$3" -v b="$b" 'BEGIN {
		for (i = 0; i < n; i++) printf "fpunch %d %d\n", (4 * i + k) * b, b
	}' | xfs_io "$1" >/dev/null 2>&1 || fail "cannot punch $1"
}

# split_stripes FILE N: punches the middle block out of each stripe: N
# extents of 3 blocks become 2N of 1 block, every region is replaced.
split_stripes() {
	stripe_punch "$1" "$2" 1
}

# restripe FILE N: makes FILE's N stripes anew elsewhere on the device:
# emptied, its old blocks taken by a new filler file, then allocated and
# punched as by striped_file, all in one xfs_io process, so that a daemon
# stopped meanwhile sees one change: every region replaced.
restripe() {
	local b filler
	b=$(fs_block "$(dirname "$1")")
	filler=$1.filler.$(date +%s%N)
	{
		echo "truncate 0"
		echo "open -f $filler"
		echo "falloc 0 $((4 * $2 * b))"
		echo "file 0"
		echo "falloc 0 $((4 * $2 * b))"
		awk -v n="$2" -v b="$b" 'BEGIN {
			for (i = 0; i < n; i++) printf "fpunch %d %d\n", (4 * i + 3) * b, b
		}'
	} | xfs_io "$1" >/dev/null 2>&1 || fail "cannot restripe $1"
	assert_eq "$2" "$(file_extents "$1" | wc -l)" "extents of $1"
}

# assert_no_strays_but DEV IDS...: assert_no_strays, IDS (regions that are
# meant to be ungrouped) left aside.
assert_no_strays_but() {
	local dev=$1 strays id keep
	shift
	keep=" $* "
	strays=$(stray_regions "$dev" | while read -r id; do
		[[ $keep == *" $id "* ]] || echo "$id"
	done)
	[ -z "$strays" ] || {
		stats_list "$dev" >&2
		fail "regions outside any group on $dev: ${strays//$'\n'/ }"
	}
}

# group_valid DEV GROUP_ID: the group's descriptor is on its lowest member,
# names only regions that exist, and `dmstats list --group` shows it.
group_valid() {
	local members listed
	members=$(group_members "$1" "$2") || exit 1
	[ "$(printf '%s\n' "$members" | sort -n | head -n 1)" = "$2" ] ||
		fail "group $2 on $1 has a member below its leader: ${members//$'\n'/ }"
	listed=$(unwatched dmstats list --group --noheadings --separator : -o group_id,obj_type "${1#/dev/mapper/}" |
		awk -F: -v id="$2" '$1 == id && $2 == "group"')
	[ -n "$listed" ] || fail "dmstats list --group does not show group $2 on $1"
}

# assert_groups_disjoint DEV: fails when a region is listed by two groups.
assert_groups_disjoint() {
	local twice
	twice=$(region_rows "$1" | awk '
		$4 != "-" {
			n = split($4, part, ",")
			for (i = 1; i <= n; i++) {
				lo = hi = part[i]
				if (part[i] ~ /-/) { split(part[i], r, "-"); lo = r[1]; hi = r[2] }
				for (j = lo + 0; j <= hi + 0; j++) if (seen[j]++) print j
			}
		}')
	[ -z "$twice" ] || {
		stats_list "$1" >&2
		fail "regions listed by two groups on $1: ${twice//$'\n'/ }"
	}
}

# no_strays_but DEV IDS...: no region of DEV is outside every group, IDS
# left aside.
no_strays_but() {
	local dev=$1 id keep
	shift
	keep=" $* "
	for id in $(stray_regions "$dev"); do
		[[ $keep == *" $id "* ]] || return 1
	done
}

# wait_no_strays TIMEOUT_S DEV [IDS...]: waits until no region of DEV but
# IDS is outside every group, then fails as assert_no_strays_but does.  A
# group can match its file a moment before its daemon has deleted the
# members the new descriptor let go.
wait_no_strays() {
	local limit=$1
	shift
	poll_until "$limit" no_strays_but "$@" || assert_no_strays_but "$@"
}
