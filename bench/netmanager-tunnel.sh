#!/usr/bin/env bash
# Benchmark: the netmanager's tunnel (TUN through FFM, UDP between nodes) against the plain underlay veth between the
# same two namespaces: iperf3 TCP throughput, ping and TCP request/response latency. Needs root (namespaces, TUN).
#   bench/netmanager-tunnel.sh [seconds per iperf3 run (10)]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v iperf3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iperf3 >/dev/null
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "target/classes:$(cat target/bench.classpath)" \
  bench/NetmanagerTunnelBench.java "$NETWARDEN_TEST_MQTT_URL" "${1:-10}"
