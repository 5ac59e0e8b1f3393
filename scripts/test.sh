#!/usr/bin/env bash
# The test command: sets up the test environment (scripts/test-env.sh up) and runs the whole suite (mvn verify).
# Extra arguments go to Maven, e.g. scripts/test.sh -Dtest=RoleSetTest -Dit.test=none
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/jdk.sh
select_jdk
scripts/test-env.sh up
eval "$(scripts/test-env.sh env)"
if [ -n "${CI:-}" ]; then
  # A CI run leaves the machine as it found it: stop what test-env started.
  trap 'scripts/test-env.sh down' EXIT
fi
mvn -B -ntp verify "$@"
