#!/usr/bin/env bash
# Audience preview benchmark: the rules of bench/rules.json over HTTP, sequentially and with 8 clients.
#
#   bench/preview.sh [customers] [orders] [seconds]     (default 1000000 5000000 20)
#
# Production mode (PostgreSQL + Redis on 127.0.0.1). The dataset is loaded once with `converge demo` into a
# database named after its size and kept for later runs (drop it with `dropdb -h 127.0.0.1 -U postgres NAME`).
set -euo pipefail
CUSTOMERS=${1:-1000000}
ORDERS=${2:-5000000}
SECONDS_PER_RUN=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/converge}
PORT=${PORT:-18180}
DB=converge_preview_${CUSTOMERS}_${ORDERS}
DIR=$(mktemp -d)
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB REDIS_URL=redis://127.0.0.1:6379
export CONVERGE_VENDOR__SIGNING_SECRET=preview-signing-secret-$(date +%s)
export CONVERGE_REDIS_PREFIX=preview:$(date +%s): RUST_LOG=${RUST_LOG:-warn} CONVERGE_LOG_FORMAT=json
export CONVERGE_INGEST__RATE_PER_SECOND=1000000 CONVERGE_INGEST__RATE_BURST=1000000
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  redis-cli --scan --pattern "${CONVERGE_REDIS_PREFIX}*" | xargs -r redis-cli del >/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if ! psql -h 127.0.0.1 -U postgres -lqt | cut -d '|' -f 1 | grep -qw "$DB"; then
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" postgres
  echo "loading $CUSTOMERS customers and $ORDERS orders (once)..." >&2
  /usr/bin/time -f "demo load: %e s, max RSS %M KB" "$BIN" demo --customers "$CUSTOMERS" --orders "$ORDERS" --seed 42
  psql -q -h 127.0.0.1 -U postgres -c "VACUUM ANALYZE" "$DB"
fi

export BENCH_KEY=$("$BIN" api-key create --workspace default --scope read --data-dir "$DIR" 2>/dev/null | tail -1)
"$BIN" serve --bind 127.0.0.1:$PORT --data-dir "$DIR" 2>"$DIR/server.log" &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

python3 - "$ROOT/bench/rules.json" > "$DIR/bodies" <<'PY'
import json, sys
for rule in json.load(open(sys.argv[1])):
    print(json.dumps({"rule": rule, "sample_size": 10}, separators=(",", ":")))
PY
export BODIES=$DIR/bodies

# While the index loads, previews are answered by SQL: time each rule once that way.
echo "SQL (index loading) — first answer per rule:" >&2
started=$(date +%s.%N)
n=0
while read -r body; do
  n=$((n + 1))
  out=$(curl -s -o /dev/null -w '%{time_total} ' -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' \
    -d "$body" "http://127.0.0.1:$PORT/api/v1/segments/preview")
  src=$(curl -s -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' -d "$body" \
    "http://127.0.0.1:$PORT/api/v1/segments/preview" | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"])')
  printf '  rule %2d: %6.1f ms (%s)\n' "$n" "$(echo "$out * 1000" | bc -l)" "$src" >&2
done < "$BODIES"

echo "waiting for the index..." >&2
for _ in $(seq 1 600); do
  src=$(curl -s -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' -d "$(head -1 "$BODIES")" \
    "http://127.0.0.1:$PORT/api/v1/segments/preview" | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"])')
  [ "$src" = index ] && break
  sleep 1
done
echo "index loaded after $(echo "$(date +%s.%N) - $started" | bc -l | cut -c1-5) s" >&2
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^converge_audience_index_(bytes|customers)' >&2 || true

echo "per rule, from the index (best of 5):" >&2
n=0
while read -r body; do
  n=$((n + 1))
  best=999999
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' \
      -d "$body" "http://127.0.0.1:$PORT/api/v1/segments/preview")
    best=$(echo "if ($t < $best) $t else $best" | bc -l)
  done
  printf '  rule %2d: %6.1f ms\n' "$n" "$(echo "$best * 1000" | bc -l)" >&2
done < "$BODIES"

echo "sequential (1 client):" >&2
wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" -s "$ROOT/bench/preview.lua" "http://127.0.0.1:$PORT" | grep PREVIEW >&2
echo "8 concurrent clients:" >&2
wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" -s "$ROOT/bench/preview.lua" "http://127.0.0.1:$PORT" | grep PREVIEW >&2
grep -E '"level":"(ERROR|WARN)"' "$DIR/server.log" | head -5 >&2 || true
