# shellcheck shell=bash
# Sourced by tests/check: the Debian package's checks, the fuzz targets
# and the self-tests of tests/vm/run, each queued as jobs (check-jobs.sh).
# Its globals (top, vm, work, jobs_max, ...) are tests/check's:
# shellcheck disable=SC2154

# ---- the Debian package ----------------------------------------------------

# The one package `make deb` left at the top of the tree, or nothing.
built_deb() {
	local debs=("$top"/dmfilemapd_*.deb)
	[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] && echo "${debs[0]}"
}

# The guest runs the daemon unpacked from the package, and checks that it is.
packaged_in_guest() {
	local deb=$1 root=$work/packaged
	mkdir -p "$root"
	dpkg-deb -x "$deb" "$root"
	sha256sum "$root/usr/sbin/dmfilemapd" >"$root/packaged.sha256"
	DMFILEMAPD=$root/usr/sbin/dmfilemapd "${vm_run[@]}" --timeout 300 \
		--with "$root/packaged.sha256" "$top/tests/package/packaged_daemon.sh"
}

# The same on Debian 13's libdevmapper, whose dmstats starts no daemon:
# the packaged daemon makes the group itself (dmfilemapd --create).
packaged_in_guest_trixie() {
	local deb=$1 root=$work/packaged-trixie
	mkdir -p "$root"
	dpkg-deb -x "$deb" "$root"
	sha256sum "$root/usr/sbin/dmfilemapd" >"$root/packaged.sha256"
	DMFILEMAPD=$root/usr/sbin/dmfilemapd "${vm_run[@]}" --timeout 300 --libdm trixie \
		--with "$root/packaged.sha256" "$top/tests/package/packaged_daemon_trixie.sh"
}

# queue_package_jobs: the package itself, and its daemon in the guest on
# both systems; every package test fails without a package.
queue_package_jobs() {
	local deb name
	if ! deb=$(built_deb); then
		echo "no single dmfilemapd_*.deb at the top of the tree: run make deb" >"$work/package.log"
		for name in package/deb package/vm package/vm-trixie; do
			selected "$name" && record FAIL "$name" 0 "$work/package.log"
		done
		return 0
	fi
	selected package/deb && start_job package/deb "$top/tests/package/check-deb" "$deb"
	selected package/vm && start_job package/vm packaged_in_guest "$deb"
	selected package/vm-trixie && start_job package/vm-trixie packaged_in_guest_trixie "$deb"
}

# ---- fuzzing (libFuzzer) ---------------------------------------------------

# fuzz_target NAME: fuzzes for $fuzz_seconds, from the seeds in the tree.
fuzz_target() {
	local corpus=$work/corpus.$1
	mkdir -p "$corpus"
	"$top/tests/fuzz/run" --corpus "$corpus" "$fuzz_seconds" "$1"
}

run_fuzz_targets() {
	local src name
	for src in "$top"/tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		name=${name#fuzz_}
		selected "fuzz/$name" && start_job "fuzz/$name" fuzz_target "$name"
	done
}

# ---- self-tests of tests/vm/run ------------------------------------------

self_exit_status() {
	local status=0
	"${vm_run[@]}" --timeout 120 "$vm/self/exit3.sh" >"$work/exit3.out" 2>&1 || status=$?
	cat "$work/exit3.out"
	[ "$status" = 3 ] || { echo "expected exit status 3, got $status"; return 1; }
	grep -qx 'about to exit 3' "$work/exit3.out" || { echo "the script's output is missing"; return 1; }
}

# The guest must be stopped and reported, and nothing of it left behind.
self_timeout() {
	local status=0 start elapsed tmp=$work/timeout.tmp
	mkdir -p "$tmp"
	start=$(date +%s)
	TMPDIR=$tmp "${vm_run[@]}" --timeout 20 "$vm/self/hang.sh" >"$work/hang.out" 2>&1 || status=$?
	elapsed=$(($(date +%s) - start))
	cat "$work/hang.out"
	[ "$status" = 124 ] || { echo "expected exit status 124, got $status"; return 1; }
	grep -q 'TIMEOUT' "$work/hang.out" || { echo "no timeout message"; return 1; }
	[ "$elapsed" -le 45 ] || { echo "took ${elapsed}s to stop a 20 s run"; return 1; }
	if pgrep -f "$tmp" >/dev/null; then echo "a process of the run is left: $(pgrep -af "$tmp")"; return 1; fi
	[ -z "$(ls -A "$tmp")" ] || { echo "temporary files left: $(ls -A "$tmp")"; return 1; }
}

self_panic() {
	local status=0
	"${vm_run[@]}" --timeout 120 "$vm/self/panic.sh" >"$work/panic.out" 2>&1 || status=$?
	cat "$work/panic.out"
	[ "$status" = 125 ] || { echo "expected exit status 125, got $status"; return 1; }
	grep -q 'KERNEL PANIC' "$work/panic.out" || { echo "no panic message"; return 1; }
}

# The output must arrive byte for byte as the same script prints it here.
self_output() {
	local status=0
	bash "$vm/self/output.sh" >"$work/output.want" 2>&1
	"${vm_run[@]}" --timeout 120 "$vm/self/output.sh" >"$work/output.got" 2>"$work/output.err" || status=$?
	[ "$status" = 0 ] || { echo "exit status $status"; cat "$work/output.err"; return 1; }
	cmp "$work/output.want" "$work/output.got" || {
		diff "$work/output.want" "$work/output.got" | head -n 20
		return 1
	}
}

# The guest on libdevmapper build $1 of cache/libdm (run --libdm): the guest
# script checks that dmsetup, dmstats and the daemon load that very build.
self_libdm() {
	"${vm_run[@]}" --timeout 300 --libdm "$1" "$vm/self/libdm_$1.sh"
}

self_libdm_trixie() {
	self_libdm trixie
}

self_libdm_spawner() {
	self_libdm spawner
}

# The systemd guest booted twice on the same disks (run --systemd --boots
# 2): the guest script checks systemd, udev and the journal in boot 1, and
# in boot 2 what boot 1 left on /dev/vda and in the root file system, and
# the dm device on /dev/vdb that lib.sh's linear_at_boot makes at boot.
# The busybox guest must fail the same script.
self_systemd() {
	local status=0 boot
	"${vm_run[@]}" --timeout 300 --systemd --boots 2 --disk 1G --disk 64M "$vm/self/systemd.sh" \
		>"$work/systemd.out" 2>&1 ||
		status=$?
	cat "$work/systemd.out"
	[ "$status" = 0 ] || { echo "expected exit status 0, got $status"; return 1; }
	for boot in 1 2; do
		grep -q "^ok: boot $boot " "$work/systemd.out" || { echo "boot $boot did not end its checks"; return 1; }
	done
	status=0
	"${vm_run[@]}" --timeout 120 --disk 1G --disk 64M "$vm/self/systemd.sh" >"$work/systemd-busybox.out" 2>&1 ||
		status=$?
	[ "$status" != 0 ] || {
		cat "$work/systemd-busybox.out"
		echo "the script passed in the busybox guest"
		return 1
	}
}

run_self_tests() {
	local t
	for t in exit_status timeout panic output libdm_trixie libdm_spawner systemd; do
		selected "runner/$t" || continue
		# The guest of the time-out test sleeps until it is stopped.
		if [ "$t" = timeout ]; then
			start_waiting_job "runner/$t" "self_$t"
		else
			start_job "runner/$t" "self_$t"
		fi
	done
}
