#!/bin/bash
# tests/vm/scenarios/shrink.sh on btrfs (single data, DUP metadata), the
# group made by dmfilemapd --create.
exec bash /test/scenarios/shrink.sh btrfs
