#!/usr/bin/env bash
# Benchmark: acked edge pings end to end (API → central → JetStream → node → ACK → stored; one process that is both
# central and node, real NATS and PostgreSQL) vs raw jnats JetStream publish + durable consume + ack on the same server,
# in the same run; prints both rates, their ratio, and p50/p99 of both at a fixed rate.
#   bench/edge-ping.sh [messages (2000)] [concurrency (32)] [rate/s for latency (50)] [seconds at that rate (20)]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
WORK="$(mktemp -d)"
PORT=18778
TOKEN="bench-token-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
APP=""
trap 'set +e; stop_vacuum_loop; [ -n "$APP" ] && kill $APP 2>/dev/null && wait $APP 2>/dev/null; stop_own_nats; rm -rf "$WORK"' EXIT
POOL="bench$RANDOM"
NODE="benchc$RANDOM"
start_own_nats
start_netwarden NETWARDEN_ROLES=edge-node NETWARDEN_NODE_NAME="$NODE" NETWARDEN_EDGE_CENTRAL="$NODE"
"$JAVA_HOME/bin/java" -cp "$(cat target/bench.classpath)" bench/EdgePingBench.java \
  "http://127.0.0.1:$PORT" "$TOKEN" "$NODE" "$NETWARDEN_TEST_NATS_URL" "${1:-2000}" "${2:-32}" "${3:-50}" "${4:-20}"
