#!/bin/bash
# tests/vm/scenarios/filemap.sh on btrfs (single data, DUP metadata), the
# group made by dmfilemapd --create.
exec bash /test/scenarios/filemap.sh btrfs
