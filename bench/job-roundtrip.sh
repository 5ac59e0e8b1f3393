#!/usr/bin/env bash
# Benchmark: job round trip through Netwarden (all roles in one process, real NATS and PostgreSQL) vs raw jnats
# request-reply doing the same SNMP GET, at each number of callers given (comma-separated), and the ratio of the two peaks.
#   bench/job-roundtrip.sh [callers,callers,… (16,32,64,128)] [seconds (20)] [rate (50)] [min warm-up seconds (150)]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
WORK="$(mktemp -d)"
PORT=18777
TOKEN="bench-token-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
POOL="bench$RANDOM"
APP=""
trap 'set +e; stop_vacuum_loop; [ -n "$APP" ] && kill $APP 2>/dev/null && wait $APP 2>/dev/null; rm -rf "$WORK"' EXIT
start_netwarden
ELEMENT="bench-$RANDOM"
HOST="${NETWARDEN_TEST_SNMP%:*}"; SNMP_PORT="${NETWARDEN_TEST_SNMP##*:}"
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$ELEMENT\",\"address\":\"$HOST\",\"snmp\":{\"port\":$SNMP_PORT,\"community\":\"$NETWARDEN_TEST_SNMP_COMMUNITY\"}}" \
  "http://127.0.0.1:$PORT/api/v1/elements" >/dev/null
"$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/classes:$(cat target/bench.classpath)" bench/JobRoundTripBench.java \
  "http://127.0.0.1:$PORT" "$TOKEN" "$ELEMENT" "$NETWARDEN_TEST_NATS_URL" "$NETWARDEN_TEST_SNMP" \
  "$NETWARDEN_TEST_SNMP_COMMUNITY" "${1:-16,32,64,128}" "${2:-20}" "${3:-50}" "${4:-150}"
