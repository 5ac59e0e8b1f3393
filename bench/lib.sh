# Sourced by the benchmarks: JDK 25, the test environment (snmpd, NATS, PostgreSQL …) and its addresses.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/jdk.sh
select_jdk
scripts/test-env.sh up >/dev/null 2>&1 || scripts/test-env.sh up
eval "$(scripts/test-env.sh env)"

# Starts Netwarden from the packaged jar with every role, the test NATS and PostgreSQL, in $WORK on 127.0.0.1:$PORT,
# bearer $TOKEN, dispatcher and agent on pool $POOL; NAME=value arguments add to its environment, and
# NETWARDEN_BENCH_JAVA_OPTS to its JVM options (a profiler, say). Sets APP to its pid and waits until it is ready.
start_netwarden() {
  ( cd "$WORK" && exec env NETWARDEN_API_TOKEN="$TOKEN" QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
      NETWARDEN_NATS_URL="$NETWARDEN_TEST_NATS_URL" QUARKUS_DATASOURCE_JDBC_URL="$NETWARDEN_TEST_PG_URL" \
      QUARKUS_DATASOURCE_USERNAME="$NETWARDEN_TEST_PG_USER" QUARKUS_DATASOURCE_PASSWORD="$NETWARDEN_TEST_PG_PASSWORD" \
      QUARKUS_LOG_LEVEL=WARN NETWARDEN_DNC_DISPATCHER_POOL="$POOL" NETWARDEN_DNC_AGENT_POOL="$POOL" "$@" \
      "$JAVA_HOME/bin/java" ${NETWARDEN_BENCH_JAVA_OPTS:-} -jar "$REPO/target/quarkus-app/quarkus-run.jar" \
      > "$WORK/netwarden.log" 2>&1 ) &
  APP=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && return 0
    sleep 0.2
  done
  echo "Netwarden did not become ready within 60 s:" >&2
  tail -20 "$WORK/netwarden.log" >&2
  return 1
}
