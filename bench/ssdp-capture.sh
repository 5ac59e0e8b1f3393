#!/usr/bin/env bash
# Records what real SSDP stacks send, for bench/ssdp-parse.sh: MiniDLNA (a DLNA media server) and GSSDP (a device, and
# a control point searching) in a network namespace of the script's own; the recorder in a second namespace answers
# nothing and sends one M-SEARCH. Nothing touches the host's interfaces. Needs root, minidlna and GSSDP's Python bindings
# (scripts/test-env.sh up installs them).
#   bench/ssdp-capture.sh [output (bench/captures/ssdp.txt)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" = 0 ] || { echo "bench/ssdp-capture.sh needs root (network namespaces)" >&2; exit 1; }
OUT="${1:-bench/captures/ssdp.txt}"
RUN="$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')"
DEV="nwcap-$RUN-d"; REC="nwcap-$RUN-r"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  ip netns pids "$DEV" 2>/dev/null | xargs -r kill -9
  ip netns del "$DEV" 2>/dev/null; ip netns del "$REC" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$DEV"; ip netns add "$REC"
ip link add "nwc${RUN}d" type veth peer name "nwc${RUN}r"
ip link set "nwc${RUN}d" netns "$DEV"; ip link set "nwc${RUN}r" netns "$REC"
ip -n "$DEV" addr add 10.216.1.1/24 dev "nwc${RUN}d"; ip -n "$REC" addr add 10.216.1.2/24 dev "nwc${RUN}r"
for ns in "$DEV" "$REC"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$(ip -n "$ns" -o link show | awk -F': ' '/nwc/ {print $2}' | cut -d@ -f1)" up
done
ip -n "$DEV" route add 224.0.0.0/4 dev "nwc${RUN}d"; ip -n "$REC" route add 224.0.0.0/4 dev "nwc${RUN}r"

ip netns exec "$REC" /usr/bin/python3 bench/ssdp-capture.py 10.216.1.2 14 5 "$WORK/capture.txt" &
REC_PID=$!
sleep 1
mkdir -p "$WORK/media/db"
printf 'media_dir=%s\ndb_dir=%s\nlog_dir=%s\nport=8200\nnetwork_interface=%s\nfriendly_name=Bench media\nnotify_interval=30\ninotify=no\n' \
  "$WORK/media" "$WORK/media/db" "$WORK/media" "nwc${RUN}d" > "$WORK/minidlna.conf"
ip netns exec "$DEV" /usr/sbin/minidlnad -f "$WORK/minidlna.conf" -d -P "$WORK/minidlna.pid" > "$WORK/minidlna.log" 2>&1 &
PIDS+=($!)
ip netns exec "$DEV" /usr/bin/python3 src/test/resources/ssdp/gssdp-advertise.py "nwc${RUN}d" \
  urn:schemas-upnp-org:device:BinaryLight:1 "uuid:$(cat /proc/sys/kernel/random/uuid)::urn:schemas-upnp-org:device:BinaryLight:1" \
  http://10.216.1.1:8201/desc.xml 1800 > "$WORK/gssdp.log" 2>&1 &
GSSDP=$!
PIDS+=($GSSDP)
ip netns exec "$DEV" /usr/bin/python3 bench/gssdp-browse.py "nwc${RUN}d" urn:schemas-upnp-org:service:ContentDirectory:1 \
  > "$WORK/browse.log" 2>&1 &
PIDS+=($!)
sleep 9
# byebyes: both devices stop
for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
pkill -TERM -f "minidlnad -f $WORK/minidlna.conf" || true
wait "$REC_PID"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/capture.txt" "$OUT"
echo "$(wc -l < "$OUT") datagrams from MiniDLNA and GSSDP in $OUT"
