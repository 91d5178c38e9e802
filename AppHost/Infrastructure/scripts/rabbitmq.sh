#!/usr/bin/env bash
# Runs one RabbitMQ node in the foreground for the AppHost's `processes` mode, with its own epmd.
# Environment (set by the AppHost): RMQ_DATA (data directory), RMQ_PORT (AMQP port), RMQ_EPMD_PORT and
# RMQ_DIST_PORT (Erlang port mapper and distribution ports), RABBITMQ_USER and RABBITMQ_PASSWORD; in an
# image (deploy/images/rabbitmq) also LISTEN_ADDRESS (0.0.0.0). The public image's RABBITMQ_DEFAULT_USER and
# RABBITMQ_DEFAULT_PASS, which Aspire's integration sets, name the user as well: the image can stand in for it.
set -euo pipefail
RABBITMQ_USER=${RABBITMQ_USER:-${RABBITMQ_DEFAULT_USER:?}}
RABBITMQ_PASSWORD=${RABBITMQ_PASSWORD:-${RABBITMQ_DEFAULT_PASS:?}}

if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  echo "RabbitMQ is not installed: apt-get install rabbitmq-server" >&2
  exit 1
fi
mkdir -p "$RMQ_DATA/log" "$RMQ_DATA/mnesia"

cat > "$RMQ_DATA/rabbitmq.conf" <<CONF
listeners.tcp.default = ${LISTEN_ADDRESS:-127.0.0.1}:$RMQ_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
loopback_users = none
CONF
echo '[].' > "$RMQ_DATA/enabled_plugins"

# +sbwt none (and for the dirty schedulers): Erlang's schedulers busy-wait for work before they sleep, which
# on a small machine takes CPU from the services and databases sharing it.
# Everything the node needs lives in RMQ_DATA (HOME holds the Erlang cookie), so it never meets the
# machine's own RabbitMQ, nor another run of this script.
export HOME="$RMQ_DATA" \
  ERL_EPMD_PORT="$RMQ_EPMD_PORT" \
  RABBITMQ_NODENAME=rabbit@localhost \
  RABBITMQ_DIST_PORT="$RMQ_DIST_PORT" \
  RABBITMQ_CONFIG_FILE="$RMQ_DATA/rabbitmq.conf" \
  RABBITMQ_CONF_ENV_FILE="$RMQ_DATA/rabbitmq-env.conf" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DATA/enabled_plugins" \
  RABBITMQ_MNESIA_BASE="$RMQ_DATA/mnesia" \
  RABBITMQ_LOG_BASE="$RMQ_DATA/log" \
  RABBITMQ_LOGS=- \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false +sbwt none +sbwtdcpu none +sbwtdio none"
touch "$RABBITMQ_CONF_ENV_FILE"

# The broker would otherwise start epmd as a daemon that outlives it; running our own in the foreground
# means stopping this script stops both. --pdeathsig covers this script being killed outright.
setpriv --pdeathsig TERM epmd -port "$RMQ_EPMD_PORT" -address 127.0.0.1 &
epmd_pid=$!
setpriv --pdeathsig TERM /usr/lib/rabbitmq/bin/rabbitmq-server &
rabbit_pid=$!

stop() {
  kill -TERM "$rabbit_pid" 2>/dev/null || true
  wait "$rabbit_pid" 2>/dev/null || true
  kill -TERM "$epmd_pid" 2>/dev/null || true
  wait "$epmd_pid" 2>/dev/null || true
}
trap 'stop; exit 0' TERM INT HUP
wait "$rabbit_pid" || true
stop
