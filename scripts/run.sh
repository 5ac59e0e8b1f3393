#!/usr/bin/env bash
# The run command: builds if needed and starts Netwarden with every role and embedded defaults
# (H2 database under ./data, in-process bus instead of NATS, no Kafka export).
# Environment variables configure it (NETWARDEN_ROLES, QUARKUS_HTTP_PORT, NETWARDEN_NATS_URL, ...; see README).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/jdk.sh
select_jdk
JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ -n "$(find src proto pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "[run] building (mvn package, tests skipped) ..." >&2
  mvn -B -q -ntp -DskipTests package
fi
PORT="${QUARKUS_HTTP_PORT:-8080}"
HOST="${QUARKUS_HTTP_HOST:-127.0.0.1}"
DATA="${NETWARDEN_DATA_DIR:-./data}"
# never print the token itself, only where it comes from
if [ -n "${NETWARDEN_API_TOKEN:-}" ]; then TOKEN_SOURCE="from NETWARDEN_API_TOKEN"; else TOKEN_SOURCE="$DATA/api-token (created at first start)"; fi
[ "$HOST" = "127.0.0.1" ] && OPEN="loopback only; QUARKUS_HTTP_HOST=0.0.0.0 opens it to the network" || OPEN="listening on $HOST"
cat >&2 <<INFO
[run] Netwarden on http://$HOST:$PORT ($OPEN)
[run]   API:        http://$HOST:$PORT/api/v1   (Authorization: Bearer <token>)
[run]   Swagger UI: http://$HOST:$PORT/q/swagger-ui
[run]   health:     http://$HOST:$PORT/q/health/ready
[run]   token:      $TOKEN_SOURCE
INFO
exec "$JAVA_HOME/bin/java" ${NETWARDEN_JAVA_OPTS:-} -jar "$JAR"
