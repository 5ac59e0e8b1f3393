#!/usr/bin/env bash
# Benchmark: job round trip through Netwarden (all roles in one process, real NATS and PostgreSQL) vs raw jnats
# request-reply doing the same SNMP GET.   bench/job-roundtrip.sh [concurrency] [seconds] [rate] [warm-up seconds]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
WORK="$(mktemp -d)"
PORT=18777
TOKEN="bench-$RANDOM$RANDOM"
POOL="bench$RANDOM"
( cd "$WORK" && NETWARDEN_API_TOKEN="$TOKEN" QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 \
    NETWARDEN_NATS_URL="$NETWARDEN_TEST_NATS_URL" QUARKUS_DATASOURCE_JDBC_URL="$NETWARDEN_TEST_PG_URL" \
    QUARKUS_DATASOURCE_USERNAME="$NETWARDEN_TEST_PG_USER" QUARKUS_DATASOURCE_PASSWORD="$NETWARDEN_TEST_PG_PASSWORD" \
    QUARKUS_LOG_LEVEL=WARN NETWARDEN_DNC_DISPATCHER_POOL="$POOL" NETWARDEN_DNC_AGENT_POOL="$POOL" \
    exec "$JAVA_HOME/bin/java" ${NETWARDEN_BENCH_JAVA_OPTS:-} -jar "$REPO/target/quarkus-app/quarkus-run.jar" > "$WORK/netwarden.log" 2>&1 ) &
APP=$!
trap 'set +e; kill $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && break; sleep 0.2; done
ELEMENT="bench-$RANDOM"
HOST="${NETWARDEN_TEST_SNMP%:*}"; SNMP_PORT="${NETWARDEN_TEST_SNMP##*:}"
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$ELEMENT\",\"address\":\"$HOST\",\"snmp\":{\"port\":$SNMP_PORT,\"community\":\"$NETWARDEN_TEST_SNMP_COMMUNITY\"}}" \
  "http://127.0.0.1:$PORT/api/v1/elements" >/dev/null
"$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/classes:$(cat target/bench.classpath)" bench/JobRoundTripBench.java \
  "http://127.0.0.1:$PORT" "$TOKEN" "$ELEMENT" "$NETWARDEN_TEST_NATS_URL" "$NETWARDEN_TEST_SNMP" \
  "$NETWARDEN_TEST_SNMP_COMMUNITY" "${1:-16}" "${2:-10}" "${3:-50}" "${4:-15}"
