# dmfilemapd: keeps a dm-stats file-map group in step with its file.

# The one version: debian/changelog's, which the package carries too.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
prefix   ?= /usr/local
exec_prefix ?= $(prefix)
sbindir  ?= $(if $(filter /usr,$(prefix)),/usr/sbin,$(exec_prefix)/sbin)
mandir   ?= $(prefix)/share/man
# Where systemd finds units: /lib/systemd/system for the system's own
# packages, as Debian 12's systemd and debhelper put them.
systemdunitdir ?= $(if $(filter /usr,$(prefix)),/lib/systemd/system,$(prefix)/lib/systemd/system)
DESTDIR  ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
DM_CFLAGS := $(shell $(PKG_CONFIG) --cflags devmapper)
DM_LIBS   := $(shell $(PKG_CONFIG) --libs devmapper)
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DDMFILEMAPD_VERSION='"$(VERSION)"'
ALL_CFLAGS = $(WARN) $(CFLAGS) $(DM_CFLAGS)
# A daemon that runs as root and parses text from the kernel and from other
# programs is built hardened, whatever CFLAGS and LDFLAGS the caller gives
# (Debian's dpkg-buildflags give the same; a fortify level given is kept).
HARDEN_CPPFLAGS = $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS = -fstack-protector-strong -fstack-clash-protection \
                -fcf-protection -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now

# Modules that need neither libdevmapper nor a device-mapper kernel: the
# unit tests link these and run natively.
NATIVE_SRC = src/cli.c src/plan.c src/plan_window.c src/pairheap.c src/extents.c \
             src/listing.c src/rows.c src/listshare.c src/descriptor.c src/leader.c src/ownership.c src/fiemap.c src/probe.c \
             src/claim.c src/stats.c src/group.c src/apply.c src/sync.c src/log.c src/fault.c \
             src/sources.c src/clock.c src/decimal.c src/schedule.c src/chunks.c src/listdiff.c \
             src/btrfs_items.c
DAEMON_SRC = src/adopt.c src/devmapper.c src/btrfs.c src/target.c src/create.c src/followers.c src/notify.c src/watcher.c src/track.c src/monitor.c src/react.c src/daemon.c src/main.c
NATIVE_OBJ = $(NATIVE_SRC:.c=.o)
OBJ        = $(NATIVE_OBJ) $(DAEMON_SRC:.c=.o)

# Helper programs of the VM tests and the benchmarks.
TOOLS      = bench/odirect-read bench/plan-bench bench/fragment bench/group-wait \
             bench/dm-poller bench/pass-profile bench/overwrite tests/vm/bin/dm-set-alias \
             tests/vm/bin/hold-names tests/vm/bin/file-ranges \
             tests/vm/bin/stamped-blocks

UNIT_TESTS = $(patsubst tests/unit/%.c,tests/unit/%,$(wildcard tests/unit/test_*.c))

# The daemon and the unit tests once more with AddressSanitizer (leaks
# included) and UBSan, under build/san/ so that they never mix with the
# objects above.  UBSan stops at its first report: a report that let the
# program go on could pass unseen.
SAN        = build/san
SAN_FLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer
# Linked in statically, gcc's ASan and UBSan runtimes share one copy of the
# sanitizers' common code: shared, UBSan writes its reports to stderr
# whatever its log_path says (and a detached daemon's stderr is /dev/null).
SAN_LDFLAGS = -static-libasan -static-libubsan
SAN_OBJ    = $(addprefix $(SAN)/,$(OBJ))
SAN_NATIVE_OBJ = $(addprefix $(SAN)/,$(NATIVE_OBJ))
SAN_UNIT_TESTS = $(addprefix $(SAN)/,$(UNIT_TESTS))

# libFuzzer targets (clang only), built with ASan and UBSan as well.
FUZZ_CC    ?= clang-14
FUZZ       = build/fuzz
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,$(FUZZ)/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
# What each target links: the module it parses with what that needs.
FUZZ_SRC_listing    = src/listing.c src/extents.c src/decimal.c
FUZZ_SRC_descriptor = src/descriptor.c src/extents.c src/decimal.c
FUZZ_SRC_cli        = src/cli.c src/fault.c src/descriptor.c src/extents.c src/decimal.c
FUZZ_SRC_rows       = src/rows.c src/listing.c src/extents.c src/decimal.c
FUZZ_SRC_listdiff   = src/listdiff.c src/listing.c src/descriptor.c src/extents.c src/decimal.c
# make fuzz: each target for FUZZ_SECONDS, its corpus kept in build/fuzz/.
FUZZ_SECONDS ?= 600

all: dmfilemapd

dmfilemapd: $(OBJ)
	$(CC) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(DM_LIBS)

# The version is compiled in: a new changelog entry rebuilds it.
src/main.o: debian/changelog

src/%.o: src/%.c $(wildcard include/*.h)
	$(CC) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(HARDEN_CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The in-memory dm-stats kernel some unit tests run the daemon's logic on,
# and the runner of table-driven cases.
UNIT_HELPERS = tests/unit/model.c tests/unit/model.h tests/unit/table.h

tests/unit/test_%: tests/unit/test_%.c $(NATIVE_OBJ) $(UNIT_HELPERS) $(wildcard include/*.h)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/unit/model.c $(NATIVE_OBJ) -lcmocka

tests/vm/bin/dm-set-alias: tests/vm/tools/set_alias.c
	@mkdir -p tests/vm/bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(DM_LIBS)

tests/vm/bin/hold-names: tests/vm/tools/hold_names.c
	@mkdir -p tests/vm/bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

tests/vm/bin/file-ranges: tests/vm/tools/file_ranges.c $(NATIVE_OBJ) src/btrfs.o
	@mkdir -p tests/vm/bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(NATIVE_OBJ) src/btrfs.o $(DM_LIBS)

tests/vm/bin/stamped-blocks: tests/vm/tools/stamped_blocks.c
	@mkdir -p tests/vm/bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

bench/odirect-read: bench/odirect_read.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

bench/plan-bench: bench/plan_bench.c src/plan.o src/pairheap.o src/extents.o
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< src/plan.o src/pairheap.o src/extents.o

bench/dm-poller: bench/dm_poller.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

bench/fragment: bench/fragment.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

bench/overwrite: bench/overwrite.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

# The daemon's own pass, timed step by step in the guest.
bench/pass-profile: bench/pass_profile.c $(NATIVE_OBJ) src/devmapper.o
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(NATIVE_OBJ) src/devmapper.o $(DM_LIBS)

GROUP_WAIT_SRC = bench/group_wait.c bench/burst.c bench/spans.c bench/stats_group.c \
                 bench/btrfs_single.c
bench/group-wait: $(GROUP_WAIT_SRC) bench/group_wait.h
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $(GROUP_WAIT_SRC) $(DM_LIBS)

$(SAN)/dmfilemapd: $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(SAN_OBJ) $(DM_LIBS)

$(SAN)/src/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(SAN)/tests/unit/test_%: tests/unit/test_%.c $(SAN_NATIVE_OBJ) $(UNIT_HELPERS) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) $(SAN_LDFLAGS) -o $@ $< \
	    tests/unit/model.c $(SAN_NATIVE_OBJ) -lcmocka

.SECONDEXPANSION:
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $$(FUZZ_SRC_$$*) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC_$*)

unit: $(UNIT_TESTS)

# The native unit tests alone (the package build runs them).
unit-check: $(UNIT_TESTS)
	for t in $(UNIT_TESTS); do ./$$t || exit 1; done

san: $(SAN)/dmfilemapd $(SAN_UNIT_TESTS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_SECONDS)

tools: $(TOOLS)

# The check's time, printed at its end, counts the building too.  Every
# core builds; the package is built after the rest, from a tree no longer
# being written, without running the unit tests that the check runs anyway.
CHECK_JOBS ?= $(shell nproc)
check:
	@start=$$(date +%s%N); \
	$(MAKE) -j$(CHECK_JOBS) dmfilemapd unit tools san fuzz-build && \
	DEB_BUILD_OPTIONS="nocheck parallel=$(CHECK_JOBS)" $(MAKE) deb && \
	DMFILEMAPD_CHECK_START=$$((start / 1000000)) tests/check

# The Debian package, built from a copy of the tree (dpkg-buildpackage
# writes beside the source), left here as dmfilemapd_VERSION_ARCH.deb.
DEB_TREE = build/deb/dmfilemapd-$(VERSION)
deb:
	rm -rf build/deb dmfilemapd_*.deb
	mkdir -p $(DEB_TREE)
	tar -c --exclude-vcs --exclude=./build --exclude=./tests/vm/cache \
	    --exclude=./tests/vm/build --exclude=./bench/results \
	    --exclude='./dmfilemapd_*.deb' . | \
	    tar -x -C $(DEB_TREE)
	cd $(DEB_TREE) && dpkg-buildpackage -us -uc -b
	cp build/deb/dmfilemapd_$(VERSION)_*.deb .

bench: dmfilemapd tools
	bench/run

demo: dmfilemapd
	tests/vm/demo

setup:
	tests/vm/setup

# The unit names the daemon where it is installed.
install: dmfilemapd
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man8 \
	    $(DESTDIR)$(systemdunitdir)
	install -m 0755 dmfilemapd $(DESTDIR)$(sbindir)/dmfilemapd
	install -m 0644 man/dmfilemapd.8 $(DESTDIR)$(mandir)/man8/dmfilemapd.8
	sed 's#/usr/sbin/dmfilemapd#$(sbindir)/dmfilemapd#' \
	    systemd/dmfilemapd@.service >$(DESTDIR)$(systemdunitdir)/dmfilemapd@.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/dmfilemapd@.service

uninstall:
	rm -f $(DESTDIR)$(sbindir)/dmfilemapd $(DESTDIR)$(mandir)/man8/dmfilemapd.8 \
	    $(DESTDIR)$(systemdunitdir)/dmfilemapd@.service

clean:
	rm -f dmfilemapd src/*.o $(UNIT_TESTS) $(TOOLS)
	rm -rf tests/vm/build build dmfilemapd_*.deb

.PHONY: all unit unit-check deb san fuzz-build fuzz tools check bench demo setup install uninstall clean
