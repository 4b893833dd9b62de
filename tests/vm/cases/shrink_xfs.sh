#!/bin/bash
# tests/vm/scenarios/shrink.sh on xfs.
exec bash /test/scenarios/shrink.sh xfs
