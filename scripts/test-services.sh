#!/usr/bin/env bash
# Starts throwaway PostgreSQL and Redis servers on 127.0.0.1 for the test suite and prints the
# environment variables the tests read. Usage: eval "$(scripts/test-services.sh start)"; ... stop
set -euo pipefail
RUN_DIR=${MARKWATCH_SERVICES_DIR:-/tmp/markwatch-test-services}
PG_PORT=${MARKWATCH_PG_PORT:-54329}
REDIS_PORT=${MARKWATCH_REDIS_PORT:-63799}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# PostgreSQL refuses to run as root: as root, run it as the postgres user; otherwise as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

start() {
  mkdir -p "$RUN_DIR"
  if [ -n "$PG_BIN" ]; then
    if [ ! -f "$RUN_DIR/pg/PG_VERSION" ]; then
      mkdir -p "$RUN_DIR/pg"
      [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$RUN_DIR"
      as_pg "$PG_BIN/initdb -D $RUN_DIR/pg -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    if ! as_pg "$PG_BIN/pg_ctl -D $RUN_DIR/pg status" >/dev/null 2>&1; then
      as_pg "$PG_BIN/pg_ctl -D $RUN_DIR/pg -l $RUN_DIR/pg.log -w -o '-h 127.0.0.1 -p $PG_PORT -k $RUN_DIR' start" >/dev/null
    fi
    echo "export MARKWATCH_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  fi
  if command -v redis-server >/dev/null 2>&1; then
    if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
        --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" >/dev/null
      for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    echo "export MARKWATCH_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  fi
}

stop() {
  [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl -D $RUN_DIR/pg -m fast stop" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
