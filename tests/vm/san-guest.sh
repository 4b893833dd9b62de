#!/bin/bash
# Runs the VM case /test/CASE (put there with `tests/vm/run --with`) against
# a dmfilemapd built with AddressSanitizer and UBSan, and fails on any report
# of theirs.  tests/check runs it as san/vm/CASE:
#
#   DMFILEMAPD=build/san/dmfilemapd tests/vm/run --with tests/vm/cases/CASE.sh \
#       tests/vm/san-guest.sh CASE.sh
#
# The sanitizers' options travel in the environment: /init gives the test a
# clean one, and dmstats execs the daemon with whatever it inherited, so
# what this script exports reaches every daemon, started by dmstats or by
# hand.  A detached daemon's stderr is /dev/null, so the reports go to files
# in $REPORTS.  LeakSanitizer looks only when a process exits: the daemons
# still running after the case are stopped (SIGTERM ends one cleanly) before
# the reports are read.
set -u
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

REPORTS=/run/sanitizer
# quarantine_size_mb: ASan holds freed memory back (256 MB by default) to
# catch use after free; the guest has 512 MB in all.
export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=1:quarantine_size_mb=16"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:halt_on_error=1:print_stacktrace=1"

case=${1:?usage: san-guest.sh CASE.sh}
[ -f "/test/$case" ] || fail "no case /test/$case: pass it with --with"

# The daemon in the guest must be the sanitized one, and able to write its
# reports: ASan's verbose start-up lines go to the same place as reports.
selftest=$(mktemp -d)
ASAN_OPTIONS="log_path=$selftest/asan:verbosity=1" /usr/sbin/dmfilemapd --version >/dev/null ||
	fail "/usr/sbin/dmfilemapd --version failed"
grep -qs AddressSanitizer "$selftest"/asan.* ||
	fail "/usr/sbin/dmfilemapd is not built with AddressSanitizer (make san; DMFILEMAPD=build/san/dmfilemapd)"
rm -rf "$selftest"
mkdir -p "$REPORTS"

status=0
bash "/test/$case" || status=$?

# has_options PID: 0 when the daemon runs with the sanitizer options set
# here, 1 when it runs without them, 2 when it has ended since it was
# listed (its environment is gone, or empty while it is reaped).
has_options() {
	local env
	env=$(tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null) || return 2
	[ -n "$env" ] || return 2
	grep -qxF "ASAN_OPTIONS=$ASAN_OPTIONS" <<<"$env"
}

stopped=0
for pid in $(daemon_pids); do
	found=0
	has_options "$pid" || found=$?
	case $found in
	1) echo "san: daemon $pid runs without the sanitizer options"; status=1 ;;
	2) continue ;;
	esac
	kill -TERM "$pid" 2>/dev/null && stopped=$((stopped + 1))
done
for pid in $(daemon_pids); do
	poll_until 20 process_gone "$pid" || { echo "san: daemon $pid did not end on SIGTERM"; status=1; }
done

reports=$(find "$REPORTS" -type f | sort)
if [ -n "$reports" ]; then
	for f in $reports; do
		echo "san: report $f:"
		sed 's/^/    /' "$f"
	done
	echo "FAIL: sanitizer reports from the daemon (above)"
	[ "$status" != 0 ] || status=1
else
	echo "san: no sanitizer report (daemons still running at the end, stopped: $stopped)"
fi
exit "$status"
