#!/bin/bash
# tests/vm/scenarios/rewrite.sh on btrfs (single data, DUP metadata), the
# group made by dmfilemapd --create.
exec bash /test/scenarios/rewrite.sh btrfs
