#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting the
# Debian-packaged servers when they are installed but stopped.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    echo "Starting PostgreSQL $version (cluster main)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 30); do pg_up && break; sleep 0.5; done
  fi
  if ! pg_up; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432." >&2
    echo "Install it with 'sudo apt-get install postgresql' (user postgres with trust auth on 127.0.0.1)," >&2
    echo "or point TEST_DATABASE_URL at a server you run." >&2
    exit 2
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis on 127.0.0.1:6379"
    mkdir -p /tmp/autodiag-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/autodiag-redis --logfile /tmp/autodiag-redis/redis.log
    for _ in $(seq 30); do redis_up && break; sleep 0.2; done
  fi
  if ! redis_up; then
    echo "Redis is not answering on 127.0.0.1:6379." >&2
    echo "Install it with 'sudo apt-get install redis-server', or point TEST_REDIS_URL at one." >&2
    exit 2
  fi
fi
