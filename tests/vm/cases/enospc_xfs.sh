#!/bin/bash
# tests/vm/scenarios/enospc.sh on xfs.
exec bash /test/scenarios/enospc.sh xfs
