# Sourced by the benchmarks: JDK 25, the test environment (snmpd, NATS, PostgreSQL …) and its addresses.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/jdk.sh
select_jdk
scripts/test-env.sh up >/dev/null 2>&1 || scripts/test-env.sh up
eval "$(scripts/test-env.sh env)"

BENCH_DB=netwarden_bench
BENCH_DB_URL="${NETWARDEN_TEST_PG_URL%/*}/$BENCH_DB"
VACUUM_LOOP=""

bench_psql() {
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -p "$(echo "$NETWARDEN_TEST_PG_URL" | sed -E 's#.*:([0-9]+)/.*#\1#')" -U postgres -qtAX -v ON_ERROR_STOP=1 "$@"
}

# An empty database for this run (jobs of earlier runs would change what is measured), and, when the server runs without
# autovacuum (CI images often switch it off), a loop doing its work: without it every updated row leaves a dead index
# entry that later scans wade through, and the planner never learns that a table which was empty at the first queries
# has grown (a cached plan keeps scanning the whole table), which no production PostgreSQL does.
fresh_bench_database() {
  bench_psql -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB OWNER $NETWARDEN_TEST_PG_USER"
  if [ "$(bench_psql -c 'SHOW autovacuum')" = "off" ]; then
    echo "note: autovacuum is off on this PostgreSQL; the bench runs VACUUM ANALYZE every 5 s instead"
    ( while sleep 5; do bench_psql -d "$BENCH_DB" -c "VACUUM ANALYZE" >/dev/null 2>&1; done ) &
    VACUUM_LOOP=$!
  fi
}

stop_vacuum_loop() {
  if [ -n "$VACUUM_LOOP" ]; then kill "$VACUUM_LOOP" 2>/dev/null; VACUUM_LOOP=""; fi
}

# Starts Netwarden from the packaged jar with every role, the test NATS and a fresh PostgreSQL database, in $WORK on
# 127.0.0.1:$PORT, bearer $TOKEN, dispatcher and agent on pool $POOL; NAME=value arguments add to its environment, and
# NETWARDEN_BENCH_JAVA_OPTS to its JVM options (a profiler, say). Sets APP to its pid and waits until it is ready.
# Call stop_vacuum_loop when done (the traps do).
start_netwarden() {
  fresh_bench_database
  ( cd "$WORK" && exec env NETWARDEN_API_TOKEN="$TOKEN" QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
      NETWARDEN_NATS_URL="$NETWARDEN_TEST_NATS_URL" QUARKUS_DATASOURCE_JDBC_URL="$BENCH_DB_URL" \
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

# A NATS server with JetStream of this run's own (store in $WORK/nats, a free loopback port): what a run leaves on a
# server — a thousand nodes' durable consumers, say — slows every publish of the next run down (a shared server with
# 22,000 such consumers took the edge fleet from 4 s to 20 s). Sets NETWARDEN_TEST_NATS_URL and NATS_PID; call
# stop_own_nats when done (the traps do).
NATS_PID=""
start_own_nats() {
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  mkdir -p "$WORK/nats"
  "$NETWARDEN_TEST_NATS_SERVER" -a 127.0.0.1 -p "$port" -js -sd "$WORK/nats" > "$WORK/nats.log" 2>&1 &
  NATS_PID=$!
  NETWARDEN_TEST_NATS_URL="nats://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nats-server did not open port $port:" >&2
  cat "$WORK/nats.log" >&2
  return 1
}

stop_own_nats() {
  if [ -n "$NATS_PID" ]; then kill "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; NATS_PID=""; fi
}
