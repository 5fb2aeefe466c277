#!/usr/bin/env bash
# Runs the whole ImageOrleans test suite.
#
# The cluster tests need Redis and PostgreSQL, the S3 image store's tests s3rver, the deployment tests
# kubectl. This script installs redis-server and kubectl when they are missing (apt) and s3rver (npm,
# into .tools/), then starts a throwaway Redis, s3rver and PostgreSQL cluster (PostgreSQL as the
# unprivileged 'postgres' user when run as root) on free loopback ports in a temporary folder, for the
# whole run, and removes them afterwards. Extra arguments go to 'dotnet test' (e.g. --filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root (or sudo) to run: $*" >&2; return 1; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

pg_bin() {
  command -v "$1" 2>/dev/null && return
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

wait_for() {
  local what=$1; shift
  for _ in $(seq 1 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$what did not come up" >&2; return 1
}

command -v redis-server >/dev/null || apt_install redis-server
# kubectl renders k8s/ (kubectl kustomize) for tests/Deployment.Tests; Debian's package is enough.
command -v kubectl >/dev/null || apt_install kubernetes-client
[ -n "$(pg_bin initdb)" ] || apt_install postgresql
# s3rver, an S3-compatible server, for the S3 image store's tests: installed with npm into .tools/ (git-ignored).
command -v npm >/dev/null || apt_install npm
S3RVER=.tools/s3rver/node_modules/.bin/s3rver
if [ ! -x "$S3RVER" ]; then
  say "installing s3rver (npm) into .tools/s3rver"
  mkdir -p .tools/s3rver
  npm install --prefix .tools/s3rver --no-audit --no-fund --loglevel=error s3rver@3.7.1 >/dev/null
fi
INITDB=$(pg_bin initdb); PG_CTL=$(pg_bin pg_ctl); PSQL=$(command -v psql || pg_bin psql)

# The operator page's browser test drives Debian's chromium (browsers cannot be downloaded by
# Playwright here) through npm playwright-core, installed from the lock file into tests/Browser.
command -v chromium >/dev/null || apt_install chromium
command -v node >/dev/null || apt_install nodejs npm
if [ ! -f tests/Browser/node_modules/playwright-core/package.json ]; then
  say "installing playwright-core (tests/Browser)"
  (cd tests/Browser && npm ci --no-audit --no-fund --silent)
fi
# The Images and Batches APIs are also driven with the official openai npm package (tests/Node), from its lock file.
if [ ! -f tests/Node/node_modules/openai/package.json ]; then
  say "installing openai (tests/Node)"
  (cd tests/Node && npm ci --no-audit --no-fund --silent)
fi
# The gRPC front door's non-.NET client test: npm @grpc/grpc-js and @grpc/proto-loader in tests/GrpcNode.
if [ ! -f tests/GrpcNode/node_modules/@grpc/grpc-js/package.json ]; then
  say "installing @grpc/grpc-js (tests/GrpcNode)"
  (cd tests/GrpcNode && npm ci --no-audit --no-fund --silent)
fi

WORK=$(mktemp -d /tmp/imageorleans-test.XXXXXX)
chmod 755 "$WORK"
REDIS_PORT=$(free_port)
PG_PORT=$(free_port)
S3_PORT=$(free_port)

cleanup() {
  set +e
  [ -f "$WORK/redis/redis.pid" ] && kill "$(cat "$WORK/redis/redis.pid")" 2>/dev/null
  [ -n "${S3_PID:-}" ] && kill "$S3_PID" 2>/dev/null
  [ -d "$WORK/postgres/data" ] && as_postgres "$PG_CTL" -D "$WORK/postgres/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

say "starting Redis on 127.0.0.1:$REDIS_PORT"
mkdir -p "$WORK/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no \
  --dir "$WORK/redis" --daemonize yes --pidfile "$WORK/redis/redis.pid" --logfile "$WORK/redis/redis.log"
wait_for "Redis" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping

say "starting s3rver on 127.0.0.1:$S3_PORT"
mkdir -p "$WORK/s3"
"$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --silent >"$WORK/s3rver.log" 2>&1 &
S3_PID=$!
wait_for "s3rver" bash -c "exec 3<>/dev/tcp/127.0.0.1/$S3_PORT"

say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$WORK/postgres"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$WORK/postgres"
as_postgres "$INITDB" -D "$WORK/postgres/data" -U imageorleans --auth=trust -E UTF8 --no-locale >/dev/null
as_postgres "$PG_CTL" -D "$WORK/postgres/data" -l "$WORK/postgres/postgres.log" -w start \
  -o "-p $PG_PORT -h 127.0.0.1 -k $WORK/postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" >/dev/null
"$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U imageorleans -d postgres -q -c "create database imageorleans_tests" >/dev/null

export IMAGEORLEANS_TEST_REDIS="127.0.0.1:$REDIS_PORT,abortConnect=false"
export IMAGEORLEANS_TEST_S3="http://127.0.0.1:$S3_PORT"
export IMAGEORLEANS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=imageorleans;Database=imageorleans_tests;Maximum Pool Size=50"

say "building"
dotnet build ImageOrleans.sln -c Release --nologo -warnaserror -v quiet
say "testing"
dotnet test ImageOrleans.sln -c Release --no-build --nologo "$@"
