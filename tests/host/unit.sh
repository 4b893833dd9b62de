#!/bin/bash
# The systemd unit as systemd reads it: systemd-analyze verify finds
# nothing to say (the daemon it names is this tree's, the manual page
# aside, which is not installed here), and systemd-analyze security rates
# its exposure as the README reports it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$top/dmfilemapd" ] || { echo "dmfilemapd is not built"; exit 1; }
sed "s#/usr/sbin/dmfilemapd#$top/dmfilemapd#" "$top/systemd/dmfilemapd@.service" \
	>"$work/dmfilemapd@.service"
out=$(systemd-analyze verify --man=no "$work/dmfilemapd@srv-vm.img.service" 2>&1) ||
	{ echo "systemd-analyze verify failed: $out"; exit 1; }
[ -z "$out" ] || { echo "systemd-analyze verify: $out"; exit 1; }
exposure=$(cd "$work" && systemd-analyze security --offline=true --no-pager \
	dmfilemapd@.service 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
[ -n "$exposure" ] || { echo "systemd-analyze security rated nothing"; exit 1; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
	{ echo "exposure $exposure, above the 2.0 the README reports"; exit 1; }
echo "the unit verifies clean; exposure $exposure"
