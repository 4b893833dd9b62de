#!/bin/bash
# tests/vm/scenarios/filemap.sh on ext4.
exec bash /test/scenarios/filemap.sh ext4
