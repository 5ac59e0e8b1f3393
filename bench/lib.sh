# Sourced by the benchmarks: JDK 25, the test environment (snmpd, NATS, PostgreSQL …) and its addresses.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/jdk.sh
select_jdk
scripts/test-env.sh up >/dev/null 2>&1 || scripts/test-env.sh up
eval "$(scripts/test-env.sh env)"
