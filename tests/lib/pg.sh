# PostgreSQL for the tests: Debian's server, initialised in a temporary
# folder, listening only on 127.0.0.1 on a free port, stopped by its process
# id. Source this file, then: pg_start; ...; pg_stop.
# Sets PG_URL (a superuser URL to the "postgres" database), PG_PORT, PG_DIR.

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

pg_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  local bin
  bin=$(pg_bin) || { echo "pg: PostgreSQL server not installed" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/haven-pg.XXXXXX)
  PG_PORT=$(free_port)
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  pg_as "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  export PG_URL PG_PORT PG_DIR PG_PID
}

pg_stop() {
  [ -n "${PG_PID:-}" ] || return 0
  kill -INT "$PG_PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PG_PID" 2>/dev/null
  rm -rf "$PG_DIR"
  PG_PID=
}

# Creates a fresh database and prints its URL.
pg_newdb() {
  local name="haven_$1_$$_$RANDOM"
  psql -q -X -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE DATABASE $name" >/dev/null || return 1
  echo "postgresql://postgres@127.0.0.1:$PG_PORT/$name"
}
