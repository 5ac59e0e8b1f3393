#!/usr/bin/env bash
# Benchmark: whole-agent bulkwalk, Netwarden's SNMP client vs net-snmp's snmpbulkwalk on the test snmpd.
#   bench/snmp-bulkwalk.sh [rounds] [max-repetitions]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mvn -B -q -ntp -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
exec "$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/classes:$(cat target/bench.classpath)" bench/BulkWalkBench.java \
  "$NETWARDEN_TEST_SNMP" "$NETWARDEN_TEST_SNMP_COMMUNITY" "${1:-20}" "${2:-25}"
