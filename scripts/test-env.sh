#!/usr/bin/env bash
# Test environment on loopback, without Docker: PostgreSQL, NATS with JetStream, Mosquitto, net-snmp's snmpd,
# a telnet server with a throwaway login, a real Apache Kafka broker (KRaft) run from Maven Central jars, and the
# Spectral OpenAPI linter from npm.
#
#   scripts/test-env.sh up     install what is missing (apt, as root), reuse services already up, start the rest
#   scripts/test-env.sh env    print the addresses tests use, as `export` lines (eval "$(scripts/test-env.sh env)")
#   scripts/test-env.sh down   stop the services this script started (by PID); leaves the others alone
#   scripts/test-env.sh status show what is up
#
# Idempotent: `up` twice starts nothing twice. State lives in $NETWARDEN_TEST_ENV_DIR (default: .test-env/ in the repo).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${NETWARDEN_TEST_ENV_DIR:-$REPO/.test-env}"
PIDS="$DIR/pids"

PG_PORT=5432
PG_DB=netwarden_test
PG_USER=netwarden
PG_PASSWORD=netwarden
NATS_PORT=4222
MQTT_PORT=1883
SNMP_PORT=11161
SNMP_COMMUNITY=public
SNMP_V3_USER=nwv3
SNMP_V3_AUTH=nw-auth-pass
SNMP_V3_PRIV=nw-priv-pass
TELNET_PORT=2323
TELNET_USER=nwtest
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_VERSION=4.4.0

log() { printf '[test-env] %s\n' "$*" >&2; }
die() { printf '[test-env] error: %s\n' "$*" >&2; exit 1; }

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_tcp() { # port seconds what
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    tcp_open "$1" && return 0
    sleep 0.25
  done
  die "$3 did not open 127.0.0.1:$1 within $2 s (see $DIR/*.log)"
}

pid_alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# ---------------------------------------------------------------- packages
need_packages() {
  local missing=() pair bin pkg
  for pair in psql:postgresql pg_ctlcluster:postgresql-common nats-server:nats-server mosquitto:mosquitto \
              snmpd:snmpd snmpget:snmp inetd:openbsd-inetd telnetd:inetutils-telnetd openssl:openssl \
              minidlnad:minidlna smcrouted:smcroute ip:iproute2 curl:curl python3:python3 \
              nft:nftables ping:iputils-ping nsenter:util-linux; do
    bin="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
  done
  [ -d /usr/lib/postgresql ] || missing+=(postgresql)
  # the registry's SSDP tests advertise with GSSDP through Python's GObject bindings
  python3 -c 'import gi' 2>/dev/null || missing+=(python3-gi)
  compgen -G '/usr/lib/*/girepository-1.0/GSSDP-1.6.typelib' >/dev/null || missing+=(gir1.2-gssdp-1.6)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  # Keep package scripts from starting system-wide daemons; only remove the guard if we created it.
  local guard_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard_created=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"$DIR/apt.log" 2>&1 \
    || { apt-get update -q >>"$DIR/apt.log" 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$DIR/apt.log" 2>&1; } \
    || { [ $guard_created -eq 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed; see $DIR/apt.log"; }
  [ $guard_created -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# ---------------------------------------------------------------- PostgreSQL
pg_admin() { # SQL as the postgres superuser: over the socket (peer), else TCP (trust)
  if command -v runuser >/dev/null && id postgres >/dev/null 2>&1 \
     && runuser -u postgres -- psql -qtAX -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; then
    return 0
  fi
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAX -v ON_ERROR_STOP=1 -c "$1"
}

up_postgres() {
  if tcp_open "$PG_PORT"; then
    log "PostgreSQL: reusing 127.0.0.1:$PG_PORT"
  else
    local version
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    [ -n "$version" ] || die "no PostgreSQL server installed under /usr/lib/postgresql"
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
      log "PostgreSQL: creating cluster $version/main"
      pg_createcluster "$version" main >/dev/null
    fi
    log "PostgreSQL: starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    echo "$version" > "$PIDS/postgres.cluster"
    wait_tcp "$PG_PORT" 30 PostgreSQL
  fi
  pg_admin "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
              CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'; END IF; END \$\$;" >/dev/null
  if [ "$(pg_admin "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    pg_admin "CREATE DATABASE $PG_DB OWNER $PG_USER" >/dev/null
  fi
}

# ---------------------------------------------------------------- NATS
up_nats() {
  if tcp_open "$NATS_PORT"; then
    log "NATS: reusing 127.0.0.1:$NATS_PORT (it must have JetStream enabled)"
    return
  fi
  mkdir -p "$DIR/nats"
  log "NATS: starting with JetStream on 127.0.0.1:$NATS_PORT"
  nohup nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$DIR/nats" >"$DIR/nats.log" 2>&1 &
  echo $! > "$PIDS/nats.pid"
  wait_tcp "$NATS_PORT" 20 nats-server
}

# ---------------------------------------------------------------- Mosquitto
up_mosquitto() {
  if tcp_open "$MQTT_PORT"; then
    log "Mosquitto: reusing 127.0.0.1:$MQTT_PORT"
    return
  fi
  cat > "$DIR/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
CONF
  log "Mosquitto: starting on 127.0.0.1:$MQTT_PORT"
  nohup mosquitto -c "$DIR/mosquitto.conf" >"$DIR/mosquitto.log" 2>&1 &
  echo $! > "$PIDS/mosquitto.pid"
  wait_tcp "$MQTT_PORT" 20 mosquitto
}

# ---------------------------------------------------------------- snmpd
snmp_up() { snmpget -v2c -c "$SNMP_COMMUNITY" -t 1 -r 0 "127.0.0.1:$SNMP_PORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; }

up_snmpd() {
  if snmp_up; then
    log "snmpd: reusing udp 127.0.0.1:$SNMP_PORT"
    return
  fi
  rm -rf "$DIR/snmp-persist" && mkdir -p "$DIR/snmp-persist"
  # The view leaves out tables whose rows come and go between two walks (processes, TCP/UDP endpoints),
  # so a walk can be compared with snmpbulkwalk's.
  cat > "$DIR/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:$SNMP_PORT
persistentDir $DIR/snmp-persist
view nwview included .1.3.6.1
view nwview excluded .1.3.6.1.2.1.25.4
view nwview excluded .1.3.6.1.2.1.25.5
view nwview excluded .1.3.6.1.2.1.6.13
view nwview excluded .1.3.6.1.2.1.6.19
view nwview excluded .1.3.6.1.2.1.6.20
view nwview excluded .1.3.6.1.2.1.7.5
view nwview excluded .1.3.6.1.2.1.7.7
rocommunity $SNMP_COMMUNITY 127.0.0.1 -V nwview
createUser $SNMP_V3_USER SHA-256 "$SNMP_V3_AUTH" AES "$SNMP_V3_PRIV"
rouser $SNMP_V3_USER priv -V nwview
sysLocation netwarden-test
sysContact netwarden-test@localhost
CONF
  log "snmpd: starting on udp 127.0.0.1:$SNMP_PORT"
  MIBS= snmpd -Lf "$DIR/snmpd.log" -C -c "$DIR/snmpd.conf" -p "$PIDS/snmpd.pid"
  local i
  for ((i = 0; i < 40; i++)); do snmp_up && return 0; sleep 0.25; done
  die "snmpd did not answer on udp 127.0.0.1:$SNMP_PORT (see $DIR/snmpd.log)"
}

# ---------------------------------------------------------------- telnet
telnetd_bin() { command -v telnetd || command -v in.telnetd || ls /usr/sbin/telnetd /usr/sbin/in.telnetd 2>/dev/null | head -1; }

# The telnet test user is a machine-wide account, so its throwaway password is kept machine-wide too: every checkout
# on this machine uses the same one instead of resetting it under the others' feet.
telnet_password_file() {
  if [ "$(id -u)" -eq 0 ]; then echo /var/lib/netwarden-test-env/telnet-password; else echo "$DIR/telnet-password"; fi
}

up_telnet() {
  local pwfile
  pwfile="$(telnet_password_file)"
  if [ ! -s "$pwfile" ]; then
    mkdir -p "$(dirname "$pwfile")"
    (umask 077; head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$pwfile")
  fi
  [ "$pwfile" = "$DIR/telnet-password" ] || cp "$pwfile" "$DIR/telnet-password"
  if ! id "$TELNET_USER" >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || die "creating the telnet test user needs root"
    useradd -m -s /bin/bash "$TELNET_USER"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    echo "$TELNET_USER:$(cat "$pwfile")" | chpasswd
  fi
  if tcp_open "$TELNET_PORT"; then
    log "telnet: reusing 127.0.0.1:$TELNET_PORT"
    return
  fi
  local bin
  bin="$(telnetd_bin)"
  [ -n "$bin" ] || die "no telnetd found"
  echo "127.0.0.1:$TELNET_PORT stream tcp nowait root $bin telnetd -h" > "$DIR/inetd.conf"
  log "telnet: starting inetd + $bin on 127.0.0.1:$TELNET_PORT (user $TELNET_USER)"
  nohup inetd -i "$DIR/inetd.conf" >"$DIR/inetd.log" 2>&1 &
  echo $! > "$PIDS/inetd.pid"
  wait_tcp "$TELNET_PORT" 10 inetd
}

# ---------------------------------------------------------------- Kafka
kafka_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; else command -v java; fi
}

up_kafka() {
  if tcp_open "$KAFKA_PORT"; then
    log "Kafka: reusing 127.0.0.1:$KAFKA_PORT"
    return
  fi
  local home="$DIR/kafka" java
  java="$(kafka_java)"
  mkdir -p "$home"
  if [ ! -f "$home/libs/.complete-$KAFKA_VERSION" ]; then
    log "Kafka: fetching kafka_2.13:$KAFKA_VERSION jars from Maven Central"
    rm -rf "$home/libs"
    mvn -B -q -f "$REPO/scripts/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$home/libs" -DincludeScope=runtime >"$home/fetch.log" 2>&1 \
      || die "could not fetch the Kafka jars; see $home/fetch.log"
    touch "$home/libs/.complete-$KAFKA_VERSION"
  fi
  cat > "$home/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$home/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
CONF
  cat > "$home/log4j2.properties" <<'CONF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
CONF
  if [ ! -f "$home/data/meta.properties" ]; then
    local cluster
    cluster="$("$java" -cp "$home/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    "$java" -Dlog4j2.configurationFile="$home/log4j2.properties" -cp "$home/libs/*" kafka.tools.StorageTool \
      format -t "$cluster" -c "$home/server.properties" --standalone >"$home/format.log" 2>&1 \
      || die "formatting the Kafka log dir failed; see $home/format.log"
  fi
  log "Kafka: starting KRaft broker on 127.0.0.1:$KAFKA_PORT"
  nohup "$java" -Xms256m -Xmx512m -Dlog4j2.configurationFile="$home/log4j2.properties" \
    -cp "$home/libs/*" kafka.Kafka "$home/server.properties" >"$DIR/kafka.log" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
  wait_tcp "$KAFKA_PORT" 90 Kafka
}

# ---------------------------------------------------------------- Spectral (OpenAPI linter, from npm)
SPECTRAL_VERSION=6.16.3
spectral_bin() { echo "$DIR/spectral/node_modules/.bin/spectral"; }

up_spectral() {
  if [ -x "$(spectral_bin)" ] && [ -f "$DIR/spectral/.complete-$SPECTRAL_VERSION" ]; then
    log "Spectral: reusing $SPECTRAL_VERSION"
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || die "npm is missing; install Node.js and npm (apt-get install nodejs npm)"
    log "installing nodejs npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >>"$DIR/apt.log" 2>&1 \
      || die "apt-get install nodejs npm failed; see $DIR/apt.log"
  fi
  log "Spectral: installing @stoplight/spectral-cli $SPECTRAL_VERSION from npm"
  mkdir -p "$DIR/spectral"
  npm install --prefix "$DIR/spectral" --no-audit --no-fund --loglevel=error "@stoplight/spectral-cli@$SPECTRAL_VERSION" \
    >"$DIR/spectral.log" 2>&1 || die "npm install of Spectral failed; see $DIR/spectral.log"
  touch "$DIR/spectral/.complete-$SPECTRAL_VERSION"
}

# ---------------------------------------------------------------- commands
cmd_up() {
  mkdir -p "$DIR" "$PIDS"
  if [ -f "$REPO/scripts/jdk.sh" ]; then
    # shellcheck source=jdk.sh
    . "$REPO/scripts/jdk.sh"
    select_jdk || true
  fi
  need_packages
  up_postgres
  up_nats
  up_mosquitto
  up_snmpd
  up_telnet
  up_kafka
  up_spectral
  log "up; addresses:"
  cmd_env >&2
}

cmd_env() {
  local telnet_password="" pwfile
  pwfile="$(telnet_password_file)"
  [ -f "$pwfile" ] && telnet_password="$(cat "$pwfile")"
  cat <<ENV
export NETWARDEN_TEST_PG_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB
export NETWARDEN_TEST_PG_USER=$PG_USER
export NETWARDEN_TEST_PG_PASSWORD=$PG_PASSWORD
export NETWARDEN_TEST_NATS_URL=nats://127.0.0.1:$NATS_PORT
export NETWARDEN_TEST_MQTT_URL=tcp://127.0.0.1:$MQTT_PORT
export NETWARDEN_TEST_KAFKA=127.0.0.1:$KAFKA_PORT
export NETWARDEN_TEST_SNMP=127.0.0.1:$SNMP_PORT
export NETWARDEN_TEST_SNMP_COMMUNITY=$SNMP_COMMUNITY
export NETWARDEN_TEST_SNMP_V3_USER=$SNMP_V3_USER
export NETWARDEN_TEST_SNMP_V3_AUTH=$SNMP_V3_AUTH
export NETWARDEN_TEST_SNMP_V3_PRIV=$SNMP_V3_PRIV
export NETWARDEN_TEST_TELNET=127.0.0.1:$TELNET_PORT
export NETWARDEN_TEST_TELNET_USER=$TELNET_USER
export NETWARDEN_TEST_TELNET_PASSWORD=$telnet_password
export NETWARDEN_TEST_NATS_SERVER=$(command -v nats-server || echo /usr/sbin/nats-server)
export NETWARDEN_TEST_SPECTRAL=$(spectral_bin)
ENV
}

stop_pid() { # name
  local pid
  pid_alive "$1" || { rm -f "$PIDS/$1.pid"; return 0; }
  pid="$(cat "$PIDS/$1.pid")"
  log "stopping $1 (pid $pid)"
  kill "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDS/$1.pid"
}

cmd_down() {
  [ -d "$PIDS" ] || { log "nothing was started here"; return 0; }
  stop_pid kafka
  stop_pid inetd
  stop_pid snmpd
  stop_pid mosquitto
  stop_pid nats
  if [ -f "$PIDS/postgres.cluster" ]; then
    log "stopping PostgreSQL cluster $(cat "$PIDS/postgres.cluster")/main"
    pg_ctlcluster --skip-systemctl-redirect "$(cat "$PIDS/postgres.cluster")" main stop || true
    rm -f "$PIDS/postgres.cluster"
  fi
}

cmd_status() {
  local name port
  for pair in PostgreSQL:$PG_PORT NATS:$NATS_PORT Mosquitto:$MQTT_PORT telnet:$TELNET_PORT Kafka:$KAFKA_PORT; do
    name="${pair%%:*}"; port="${pair#*:}"
    if tcp_open "$port"; then echo "$name up (127.0.0.1:$port)"; else echo "$name down"; fi
  done
  if snmp_up; then echo "snmpd up (udp 127.0.0.1:$SNMP_PORT)"; else echo "snmpd down"; fi
}

case "${1:-}" in
  up) cmd_up ;;
  env) cmd_env ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|env|down|status" >&2; exit 2 ;;
esac
