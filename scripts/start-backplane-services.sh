#!/usr/bin/env bash
# The backplane suites need Redis on 127.0.0.1:6379 and NATS on 127.0.0.1:4222 (under CI=true a missing
# one fails them). Start each, with the machine's own commands, only when nothing answers on its port;
# install it from Debian's packages first if it is missing. Idempotent.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 50); do
    listening "$port" && return 0
    sleep 0.2
  done
  echo "start-backplane-services: $name did not come up on 127.0.0.1:$port" >&2
  return 1
}

ensure_package() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$2" ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "$3"
  fi
}

if ! listening 6379; then
  ensure_package redis-server /usr/bin/redis-server redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis 6379
fi

if ! listening 4222; then
  ensure_package nats-server /usr/sbin/nats-server nats-server
  mkdir -p /var/lib/nats-server
  # The pid file makes the match this instance only: a nats-server on some other port does not count as ours.
  start-stop-daemon --start --oknodo --background --pidfile /run/smooth-operator-ci-nats.pid --make-pidfile --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for nats 4222
fi
echo "start-backplane-services: redis on 6379 and nats on 4222 are up"
