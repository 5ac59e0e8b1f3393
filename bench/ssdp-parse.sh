#!/usr/bin/env bash
# Benchmark: SSDP packets parsed and matched against the URN whitelist per second on one thread (registry role's
# parser, a mix of advertisements as MiniDLNA and gssdp send them, search requests and broken packets). No services.
#   bench/ssdp-parse.sh [seconds (10)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/jdk.sh
select_jdk
mvn -B -q -ntp -DskipTests compile >/dev/null
"$JAVA_HOME/bin/java" -XX:ActiveProcessorCount=1 -cp target/classes bench/SsdpParseBench.java "${1:-10}"
