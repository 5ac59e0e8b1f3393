#!/usr/bin/env bash
# Benchmark: NOTIFY sent → service visible in the registry's API (device description fetch included), with N distinct
# devices advertising from their own addresses in a network namespace of the bench's own; the registry (packaged jar,
# PostgreSQL) listens on the host end of its veth. Peer in the same run: GSSDP's resource browser on the same interface.
# Needs root (a namespace, a veth pair and N addresses, all removed at the end).
#   bench/ssdp-notify.sh [devices (1000)] [new devices per second (20)]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "bench/ssdp-notify.sh needs root (network namespace)" >&2; exit 1; }
DEVICES="${1:-1000}"
RATE="${2:-20}"
[ "$DEVICES" -le 1000 ] || { echo "at most 1000 devices (one /22 of addresses)" >&2; exit 1; }
mvn -B -q -ntp -DskipTests package >/dev/null
WORK="$(mktemp -d)"
PORT=18779
TOKEN="bench-token-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
RUN="$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')"
NS="nwbench-$RUN"
HOST_END="nwb${RUN:0:6}h"
NS_END="nwb${RUN:0:6}n"
URN="urn:netwarden-bench:device:Box:1"
APP=""
POOL="bench$RANDOM"
trap 'set +e; stop_vacuum_loop; [ -n "$APP" ] && kill $APP 2>/dev/null && wait $APP 2>/dev/null; ip netns del "$NS" 2>/dev/null; ip link del "$HOST_END" 2>/dev/null; rm -rf "$WORK"' EXIT

ip netns add "$NS"
ip link add "$HOST_END" type veth peer name "$NS_END"
ip link set "$NS_END" netns "$NS"
ip addr add 10.215.3.254/22 dev "$HOST_END"
ip link set "$HOST_END" up
ip -n "$NS" link set lo up
ip -n "$NS" link set "$NS_END" up
for i in $(seq 0 $((DEVICES - 1))); do echo "addr add 10.215.$((i / 250)).$((i % 250 + 1))/22 dev $NS_END"; done > "$WORK/addresses"
ip -n "$NS" -batch "$WORK/addresses"
ip -n "$NS" route add 224.0.0.0/4 dev "$NS_END"

echo "{\"ssdp\":{\"tags\":{\"Bench\":[\"$URN\"]}}}" > "$WORK/registry.json"
start_netwarden NETWARDEN_ROLES=registry NETWARDEN_NODE_NAME=bench-registry NETWARDEN_REGISTRY_INTERFACES="$HOST_END" \
  NETWARDEN_REGISTRY_CONFIG_FILE="$WORK/registry.json"
"$JAVA_HOME/bin/java" bench/SsdpNotifyBench.java "http://127.0.0.1:$PORT" "$TOKEN" "$NS" "$HOST_END" "$RUN" "$URN" \
  "$DEVICES" "$RATE"
echo "registered: $(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/registry/services?urn=$URN&limit=1000" | grep -o '"usn"' | wc -l) of $DEVICES"
curl -sf "http://127.0.0.1:$PORT/q/metrics" | grep -E '^netwarden_registry_description_fetch_seconds_(count|sum|max)\{outcome="ok"' \
  | sed -E 's/^netwarden_registry_description_fetch_seconds_([a-z]+).* ([0-9.E-]+)$/description fetch \1: \2/'
