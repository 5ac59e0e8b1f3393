#!/usr/bin/env bash
# Benchmark: a fleet of edge nodes — the real node-side code instantiated n times in one JVM — receives a broadcast
# ping from a central (the packaged jar, real PostgreSQL, a NATS server of its own); prints the time until all are acked
# at the central.
#   bench/edge-fleet.sh [nodes (1000)] [store-only: the nodes do not consume; times the central's part alone]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
WORK="$(mktemp -d)"
PORT=18779
TOKEN="bench-token-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
POOL="bench$RANDOM"
APP=""
trap 'set +e; stop_vacuum_loop; [ -n "$APP" ] && kill $APP 2>/dev/null && wait $APP 2>/dev/null; stop_own_nats; rm -rf "$WORK"' EXIT
NODE="benchc$RANDOM"
start_own_nats
start_netwarden NETWARDEN_ROLES=edge-node NETWARDEN_NODE_NAME="$NODE" NETWARDEN_EDGE_CENTRAL="$NODE" \
  NETWARDEN_EDGE_HELLO_INTERVAL=60s
"$JAVA_HOME/bin/java" -Xmx2g -cp "target/classes:$(cat target/bench.classpath)" bench/EdgeFleetBench.java \
  "http://127.0.0.1:$PORT" "$TOKEN" "$NETWARDEN_TEST_NATS_URL" "$WORK/data/edge-signing.pub.pem" "${1:-1000}" ${2:-}
