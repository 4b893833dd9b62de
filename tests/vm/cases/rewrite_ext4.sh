#!/bin/bash
# tests/vm/scenarios/rewrite.sh on ext4.
exec bash /test/scenarios/rewrite.sh ext4
