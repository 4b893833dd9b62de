#!/bin/bash
# tests/vm/scenarios/system.sh on Debian 12's own libdevmapper (1.02.185):
# dmstats starts the daemon from PATH, and writes the alias bare.
# shellcheck disable=SC2034 # read by the scenario
SYSTEM=debian12

follow_new() {
	filemap_create "$@"
}

# shellcheck source=tests/vm/scenarios/system.sh
. /test/scenarios/system.sh
