#!/bin/bash
# tests/vm/scenarios/rewrite.sh on xfs.
exec bash /test/scenarios/rewrite.sh xfs
