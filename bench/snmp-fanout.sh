#!/usr/bin/env bash
# Benchmark: fan-out — one Netwarden agent polling many SNMP agents (separate snmpd processes on loopback) vs net-snmp's
# snmpbulkwalk run against the same agents at once.   bench/snmp-fanout.sh [agents] [rounds]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
AGENTS="${1:-100}"
ROUNDS="${2:-5}"
FIRST_PORT=22001
mvn -B -q -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
WORK="$(mktemp -d)"
APP=""
cleanup() {
  set +e
  stop_vacuum_loop
  if [ -n "$APP" ]; then kill "$APP" 2>/dev/null; wait "$APP" 2>/dev/null; fi
  for pid in "$WORK"/snmpd-*/pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# the simulated agents: one snmpd process each, own port and state, the interfaces, ifX and ip groups in view
for ((i = 0; i < AGENTS; i++)); do
  port=$((FIRST_PORT + i)); dir="$WORK/snmpd-$port"; mkdir -p "$dir/persist"
  cat > "$dir/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:$port
persistentDir $dir/persist
view fan included .1.3.6.1.2.1.1
view fan included .1.3.6.1.2.1.2
view fan included .1.3.6.1.2.1.4
view fan included .1.3.6.1.2.1.31
rocommunity public 127.0.0.1 -V fan
sysName fan-$port
CONF
  MIBS= snmpd -Lf "$dir/snmpd.log" -C -c "$dir/snmpd.conf" -p "$dir/pid"
done
for ((i = 0; i < AGENTS; i++)); do
  port=$((FIRST_PORT + i))
  for _ in $(seq 1 40); do snmpget -v2c -c public -t 1 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 && break; sleep 0.25; done
done

PORT=18778
TOKEN="bench-token-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
POOL="fan$RANDOM"
start_netwarden NETWARDEN_DNC_AGENT_MAX_CONCURRENT_JOBS="$AGENTS"
"$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/classes:$(cat target/bench.classpath)" bench/FanOutBench.java \
  "http://127.0.0.1:$PORT" "$TOKEN" 127.0.0.1 "$FIRST_PORT" "$AGENTS" public "$ROUNDS" \
  1.3.6.1.2.1.2,1.3.6.1.2.1.31,1.3.6.1.2.1.4
