#!/usr/bin/env bash
# Ingestion benchmark: single-record and batch orders, accepted/s (API only) and drained/s (worker only).
#
#   bench/ingest.sh embedded|production [seconds]
#
# Needs: a release build (cargo build --release -p converge-server), wrk, and for `production` PostgreSQL and
# Redis on 127.0.0.1. Talks only to 127.0.0.1; every phase is bounded in time.
set -euo pipefail
MODE=${1:?usage: bench/ingest.sh embedded|production [seconds]}
SECONDS_PER_RUN=${2:-15}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/converge}
CONNECTIONS=${CONNECTIONS:-64}
RUN_ID=$(date +%s)
DIR=$(mktemp -d)
API_PORT=${API_PORT:-18080}
WORKER_PORT=${WORKER_PORT:-18081}
export RUN_ID CONVERGE_LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn}
export CONVERGE_INGEST__RATE_PER_SECOND=10000000 CONVERGE_INGEST__RATE_BURST=10000000
export CONVERGE_INGEST__STREAM_CAP=50000000
unset DATABASE_URL REDIS_URL
if [ "$MODE" = production ]; then
  DB=converge_bench_$RUN_ID
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" postgres
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB REDIS_URL=redis://127.0.0.1:6379
  export CONVERGE_REDIS_PREFIX=bench:$RUN_ID: CONVERGE_VENDOR__SIGNING_SECRET=bench-signing-secret-$RUN_ID
fi
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
  if [ "$MODE" = production ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres || true
    redis-cli --scan --pattern "bench:$RUN_ID:*" | xargs -r redis-cli del >/dev/null || true
  fi
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 never became ready" >&2
  exit 1
}

# Counter value from a /metrics page (0 when absent).
metric() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" 'index($0, name) == 1 { sum += $NF } END { printf "%d", sum }'
}

KEY=$("$BIN" api-key create --workspace default --scope ingest,read --data-dir "$DIR" 2>/dev/null | tail -1)
export BENCH_KEY=$KEY

# Runs wrk against an API-only node; prints accepted records.
accept_phase() {
  local script=$1 connections=$2 per_request=$3 label=$4
  "$BIN" serve --role api --bind 127.0.0.1:$API_PORT --data-dir "$DIR" 2>>"$DIR/api.log" &
  local api=$!
  PIDS+=($api)
  wait_ready $API_PORT
  local out
  out=$(wrk -t2 -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/$script" "http://127.0.0.1:$API_PORT")
  kill -TERM $api; wait $api 2>/dev/null || true
  local requests non2xx rps p50 p99
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  local accepted=$(( (requests - ${non2xx:-0}) * per_request ))
  printf '%-28s %8.0f req/s  %9.0f records/s accepted  (p50 %s, p99 %s, %s non-2xx)\n' \
    "$label" "$rps" "$(echo "$rps * $per_request * ($requests - ${non2xx:-0}) / $requests" | bc -l)" "$p50" "$p99" "${non2xx:-0}" >&2
  echo "$accepted"
}

# Starts a worker and times it until `expected` more orders are inserted; prints records/s.
drain_phase() {
  local expected=$1 label=$2
  "$BIN" worker --bind 127.0.0.1:$WORKER_PORT --data-dir "$DIR" 2>>"$DIR/worker.log" &
  local worker=$!
  PIDS+=($worker)
  wait_ready $WORKER_PORT
  local start now done_count
  start=$(date +%s.%N)
  for _ in $(seq 1 6000); do
    done_count=$(metric $WORKER_PORT 'converge_ingest_applied_total{outcome="order_inserted"}')
    [ "$done_count" -ge "$expected" ] && break
    sleep 0.05
  done
  now=$(date +%s.%N)
  kill -TERM $worker; wait $worker 2>/dev/null || true
  printf '%-28s %9.0f records/s drained   (%d orders in %.2f s)\n' "$label" \
    "$(echo "$done_count / ($now - $start)" | bc -l)" "$done_count" "$(echo "$now - $start" | bc -l)" >&2
}

echo "mode: $MODE, $(nproc) cores, ${SECONDS_PER_RUN}s per load phase, $CONNECTIONS connections" >&2
if [ "${PHASES:-single batch}" != batch ]; then
  single=$(accept_phase order.lua "$CONNECTIONS" 1 "single-record POST")
  drain_phase "$single" "single-record drain"
fi
batch=$(accept_phase order_batch.lua 8 "${BATCH:-1000}" "batch POST (${BATCH:-1000}/request)")
drain_phase "$batch" "batch drain"
