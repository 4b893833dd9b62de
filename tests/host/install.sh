#!/bin/bash
# make install puts the daemon, its manual and its systemd unit where a
# distribution expects them, under DESTDIR, and honours prefix, sbindir,
# mandir and systemdunitdir; the unit starts the daemon installed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

install_to() {
	make -s -C "$top" install DESTDIR="$dest/$1" "${@:2}" >/dev/null
}

must_exist() {
	[ -e "$dest/$1" ] || { echo "missing: $1"; find "$dest" -type f; exit 1; }
}

install_to usr prefix=/usr
must_exist usr/usr/sbin/dmfilemapd
must_exist usr/usr/share/man/man8/dmfilemapd.8
must_exist usr/lib/systemd/system/dmfilemapd@.service
grep -q '^ExecStart=/usr/sbin/dmfilemapd --create ' "$dest/usr/lib/systemd/system/dmfilemapd@.service" ||
	{ echo "the unit does not start /usr/sbin/dmfilemapd"; exit 1; }
[ -x "$dest/usr/usr/sbin/dmfilemapd" ] || { echo "daemon not executable"; exit 1; }

install_to local
must_exist local/usr/local/sbin/dmfilemapd
must_exist local/usr/local/share/man/man8/dmfilemapd.8
must_exist local/usr/local/lib/systemd/system/dmfilemapd@.service
grep -q '^ExecStart=/usr/local/sbin/dmfilemapd --create ' "$dest/local/usr/local/lib/systemd/system/dmfilemapd@.service" ||
	{ echo "the unit does not start /usr/local/sbin/dmfilemapd"; exit 1; }

install_to custom prefix=/opt/x sbindir=/sbin mandir=/usr/man systemdunitdir=/etc/systemd/system
must_exist custom/sbin/dmfilemapd
must_exist custom/usr/man/man8/dmfilemapd.8
must_exist custom/etc/systemd/system/dmfilemapd@.service
echo "install layouts are right"
