#!/usr/bin/env bash
# Campaign benchmark (M1.3): a campaign to every customer of the reference data, sent through a separate
# `converge vendor-sim` process on the same machine, in two phases:
#
#   campaign  launch → every message dispatched → every receipt applied (the simulator calls back with
#             signed receipt batches of up to 1,000, 20–200 ms after accepting each message);
#   receipts  receipts in isolation: the simulator records outcomes but sends no receipts
#             (`--callback-url ""`); once dispatch has finished, the `replay_receipts` example POSTs the
#             simulator's whole ledger as signed batches of 1,000 (8 in flight) and times it until the
#             campaign has nothing pending (endpoint → stream → applier → database).
#
#   applier   (production only) the receipt appliers alone: as `receipts`, but the ledger is POSTed to an
#             API-only node (`--role api`) while no worker runs, so every receipt waits in the Redis stream;
#             then a `converge worker` process starts and is timed until the campaign has nothing pending.
#
#   bench/campaign.sh [production|embedded]        (default production; PHASES="campaign receipts applier",
#                                                   embedded: "campaign receipts")
#
# Needs release builds of the binary and the example:
#   cargo build --release --bin converge && cargo build --release -p converge-server --example replay_receipts
# production: PostgreSQL and Redis on 127.0.0.1; the reference data (`converge demo --customers 1000000
# --orders 5000000 --seed 42`) is loaded once into the database converge_preview_1000000_5000000 (shared with
# bench/preview.sh) and kept. embedded: SQLite + embedded queue in a kept data directory
# (EMBEDDED_DIR, default /work/bench-data/embedded-<customers>-<orders>), loaded once the same way.
# Set CUSTOMERS/ORDERS for another size. The benchmark's campaigns, their log rows, parked receipts and its
# API keys are deleted afterwards, so the dataset stays reusable. Talks only to 127.0.0.1.
set -euo pipefail
MODE=${1:-production}
case "$MODE" in production | embedded) ;; *) echo "usage: bench/campaign.sh [production|embedded]" >&2; exit 2 ;; esac
if [ "$MODE" = production ]; then PHASES=${PHASES:-campaign receipts applier}; else PHASES=${PHASES:-campaign receipts}; fi
CUSTOMERS=${CUSTOMERS:-1000000}
ORDERS=${ORDERS:-5000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/converge}
REPLAY=${REPLAY_BIN:-$TARGET/release/examples/replay_receipts}
TIMEOUT=${TIMEOUT:-900}
[ -x "$BIN" ] || { echo "no release binary at $BIN" >&2; exit 1; }
[ -x "$REPLAY" ] || { echo "no replay_receipts example at $REPLAY" >&2; exit 1; }

# Delivery settings (the best found on 2 cores; see docs/BENCHMARKS.md). Override any of them from outside.
export CONVERGE_DELIVERY__DISPATCHERS=${CONVERGE_DELIVERY__DISPATCHERS:-2}
export CONVERGE_DELIVERY__CLAIM_BATCH=${CONVERGE_DELIVERY__CLAIM_BATCH:-1000}
export CONVERGE_DELIVERY__SEND_BATCH=${CONVERGE_DELIVERY__SEND_BATCH:-500}
export CONVERGE_DELIVERY__CONCURRENCY=${CONVERGE_DELIVERY__CONCURRENCY:-8}
export CONVERGE_DELIVERY__RECEIPT_BATCH=${CONVERGE_DELIVERY__RECEIPT_BATCH:-5000}
export CONVERGE_DELIVERY__RECEIPT_FLUSH_MS=${CONVERGE_DELIVERY__RECEIPT_FLUSH_MS:-50}
export CONVERGE_DELIVERY__RECEIPT_APPLIERS=${CONVERGE_DELIVERY__RECEIPT_APPLIERS:-2}
export CONVERGE_DELIVERY__SCHEDULER_INTERVAL_MS=${CONVERGE_DELIVERY__SCHEDULER_INTERVAL_MS:-1000}

RUN_ID=$(date +%s)
DIR=$(mktemp -d)
VENDOR_KEY=bench-vendor-key-$RUN_ID
SIGNING_SECRET=bench-signing-secret-$RUN_ID
LABEL=bench-campaign-$RUN_ID
export RUST_LOG=${RUST_LOG:-warn} CONVERGE_LOG_FORMAT=json
unset DATABASE_URL REDIS_URL
if [ "$MODE" = production ]; then
  DB=converge_preview_${CUSTOMERS}_${ORDERS}
  DATA=$DIR
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB REDIS_URL=redis://127.0.0.1:6379
  export CONVERGE_REDIS_PREFIX=campaign:$RUN_ID:
else
  DATA=${EMBEDDED_DIR:-/work/bench-data/embedded-${CUSTOMERS}-${ORDERS}}
fi

sql() {
  if [ "$MODE" = production ]; then
    psql -qtAX -h 127.0.0.1 -U postgres -d "$DB" -c "$1"
  else
    sqlite3 -cmd ".timeout 30000" "$DATA/converge.db" "$1"
  fi
}

SERVER= VENDOR= CAMPAIGNS=()
stop() { # pid
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
forget_campaigns() {
  for id in "${CAMPAIGNS[@]}"; do
    sql "DELETE FROM communication_log WHERE campaign_id = $id; DELETE FROM campaigns WHERE id = $id;" >/dev/null || true
  done
  if [ ${#CAMPAIGNS[@]} -gt 0 ]; then
    sql "DELETE FROM unmatched_receipts;" >/dev/null || true
    # The simulator's permanent failures suppress their numbers (M2.2): forget them, or the next run skips
    # more recipients than this one (no such table before migration 0015: the error is ignored).
    sql "DELETE FROM suppressions WHERE source = 'bounce';" >/dev/null 2>&1 || true
    if [ "$MODE" = production ]; then
      # Back to the state before the run, indexes included (a plain VACUUM leaves them at their grown size).
      sql "VACUUM FULL ANALYZE communication_log" >/dev/null || true
      sql "VACUUM FULL ANALYZE unmatched_receipts" >/dev/null || true
      sql "VACUUM ANALYZE campaigns" >/dev/null || true
    fi
  fi
  CAMPAIGNS=()
}
cleanup() {
  [ -n "${PG_SAMPLER:-}" ] && kill "$PG_SAMPLER" 2>/dev/null
  stop "$SERVER"
  stop "$VENDOR"
  SERVER= VENDOR=
  forget_campaigns
  sql "DELETE FROM api_keys WHERE label = '$LABEL';" >/dev/null 2>&1 || true
  if [ "$MODE" = production ]; then
    redis-cli --scan --pattern "campaign:$RUN_ID:*" | xargs -r redis-cli del >/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The reference data, once.
if [ "$MODE" = production ]; then
  if ! psql -h 127.0.0.1 -U postgres -lqt | cut -d '|' -f 1 | grep -qw "$DB"; then
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" postgres
    echo "loading $CUSTOMERS customers and $ORDERS orders into $DB (once)..." >&2
    /usr/bin/time -f "demo load: %e s, max RSS %M KB" "$BIN" demo --customers "$CUSTOMERS" --orders "$ORDERS" --seed 42
    psql -q -h 127.0.0.1 -U postgres -c "VACUUM ANALYZE" "$DB"
  fi
elif [ ! -f "$DATA/converge.db" ] || [ ! -f "$DATA/.loaded" ]; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  echo "loading $CUSTOMERS customers and $ORDERS orders into $DATA (once)..." >&2
  /usr/bin/time -f "demo load: %e s, max RSS %M KB" \
    "$BIN" demo --customers "$CUSTOMERS" --orders "$ORDERS" --seed 42 --data-dir "$DATA"
  touch "$DATA/.loaded"
fi
forget_campaigns # nothing yet; a previous interrupted run is cleaned by hand (see the header)

KEY=$("$BIN" api-key create --workspace default --scope campaigns,read --label "$LABEL" --data-dir "$DATA" 2>/dev/null | tail -1)
export BENCH_KEY=$KEY VENDOR_SIM_API_KEY=$VENDOR_KEY VENDOR_SIM_SIGNING_SECRET=$SIGNING_SECRET

start_vendor() { # callback URL or ""
  VPORT=$(free_port)
  "$BIN" vendor-sim --bind 127.0.0.1:$VPORT --callback-url "$1" --min-delay-ms 20 --max-delay-ms 200 \
    --receipt-batch-max 1000 --seed 42 2>>"$DIR/vendor.log" &
  VENDOR=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$VPORT/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "vendor-sim never became ready" >&2; exit 1
}
vendor_stats() { curl -sf -H "Authorization: Bearer $VENDOR_KEY" "http://127.0.0.1:$VPORT/v1/stats"; }

vendor_env() { # command… with this run's vendor settings; exec, so that `vendor_env … &` leaves $! = its pid
  CONVERGE_VENDOR__BASE_URL=http://127.0.0.1:$VPORT CONVERGE_VENDOR__API_KEY=$VENDOR_KEY \
    CONVERGE_VENDOR__SIGNING_SECRET=$SIGNING_SECRET CONVERGE_VENDOR__SIMULATOR__ENABLED=false exec "$@"
}
start_server() { # [role] (default all; an api-only node does not wait for the audience index)
  local role=${1:-all}
  vendor_env "$BIN" serve --role "$role" --bind 127.0.0.1:$PORT --data-dir "$DATA" 2>>"$DIR/server.log" &
  SERVER=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  [ "$role" = all ] || return 0
  # Wait for the audience index, so its load (tens of seconds of CPU at 1M customers) does not overlap.
  local everyone='{"rule":{"combinator":"and","rules":[]},"sample_size":1}' src=
  for _ in $(seq 1 600); do
    src=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$everyone" \
      "http://127.0.0.1:$PORT/api/v1/segments/preview" | json 'd.get("source")' 2>/dev/null || true)
    [ "$src" = index ] && return 0
    sleep 1
  done
  echo "the audience index never loaded" >&2; exit 1
}
# The campaign as the list shows it (id, status, stats). Not GET /campaigns/{id}: that also computes a delivery
# timeline, an aggregate over the campaign's million log rows (cached 5 s), which polling would add to the load.
campaign_view() { # id
  local page
  page=$(curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/v1/campaigns?limit=1")
  [ "$(field "$page" id)" = "$1" ] || { echo "campaign $1 is not the newest: $page" >&2; exit 1; }
  echo "$page"
}
# Polling without a Python start per request (that alone would cost a fair share of a core): the first
# `"key":value` of a JSON text, as a bare word.
field() { # json, key
  grep -o "\"$2\":[^,}]*" <<<"$1" | head -1 | cut -d: -f2 | tr -d '"'
}

# POSTs the campaign; sets ID, AUDIENCE, LAUNCH_S and T0 (the instant the POST started).
launch() { # name
  local body out
  body=$(printf '{"name":"%s","rule":{"combinator":"and","rules":[]},"channel":"sms","template":"Hi {{ first_name | default(\\"there\\") }}"}' "$1")
  T0=$(now)
  out=$(curl -s -w '\n%{http_code} %{time_total}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "$body" "http://127.0.0.1:$PORT/api/v1/campaigns")
  local code time
  read -r code time <<<"$(echo "$out" | tail -1)"
  [ "$code" = 201 ] || { echo "campaign create answered $code: $out" >&2; exit 1; }
  ID=$(echo "$out" | head -n -1 | json 'd["id"]')
  CAMPAIGNS+=("$ID")
  AUDIENCE=$(echo "$out" | head -n -1 | json 'd["audience"]')
  LAUNCH_S=$time
  printf '  launch (POST, audience snapshot): %.2f s, audience %d, campaign %d\n' "$LAUNCH_S" "$AUDIENCE" "$ID" >&2
}

# Where the time goes: CPU seconds per process between two marks ("other" is everything else on the machine:
# the polling, the replay client, other users), and with PROFILE=1 in production what the Postgres backends
# were doing, sampled every 0.5 s.
ticks() { # pids… → clock ticks of user + system time
  local sum=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
cpu_mark() { # → "serve vendor postgres redis machine_busy machine_total" in ticks
  local stat busy total
  stat=$(head -1 /proc/stat)
  busy=$(echo "$stat" | awk '{ print $2 + $3 + $4 + $7 + $8 + $9 }')
  total=$(echo "$stat" | awk '{ print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }')
  echo "$(ticks "$SERVER") $(ticks "$VENDOR") $(ticks $(pgrep -u postgres postgres)) $(ticks $(pgrep -x redis-server)) $busy $total"
}
cpu_report() { # label, mark at start, seconds
  local hz
  hz=$(getconf CLK_TCK)
  echo "$2 $(cpu_mark)" | awk -v label="$1" -v hz="$hz" -v secs="$3" '{
    s = ($7 - $1) / hz; v = ($8 - $2) / hz; p = ($9 - $3) / hz; r = ($10 - $4) / hz; busy = ($11 - $5) / hz
    cores = ($12 - $6) / hz / secs
    printf "  CPU during %s (%.1f s, %.0f%% of %d cores busy): converge serve %.1f s, vendor-sim %.1f s, postgres %.1f s, redis %.1f s, other %.1f s\n",
      label, secs, 100 * busy / (secs * cores), cores + 0.5, s, v, p, r, busy - s - v - p - r }' >&2
}
PG_SAMPLER=
pg_sample_start() {
  [ "${PROFILE:-0}" = 1 ] && [ "$MODE" = production ] || return 0
  : >"$DIR/pg_samples"
  (
    while :; do
      psql -qtAX -F '|' -h 127.0.0.1 -U postgres -d "$DB" -c \
        "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'), \
                left(regexp_replace(query, '\s+', ' ', 'g'), 60) \
         FROM pg_stat_activity WHERE datname = '$DB' AND state = 'active' AND pid <> pg_backend_pid()" \
        >>"$DIR/pg_samples" 2>/dev/null || true
      sleep 0.5
    done
  ) &
  PG_SAMPLER=$!
}
pg_sample_report() { # label
  [ -n "$PG_SAMPLER" ] || return 0
  kill "$PG_SAMPLER" 2>/dev/null || true
  wait "$PG_SAMPLER" 2>/dev/null || true
  PG_SAMPLER=
  local n
  n=$(wc -l <"$DIR/pg_samples")
  echo "  active Postgres backends during $1 ($n backend-samples, every 0.5 s): wait | statement" >&2
  sort "$DIR/pg_samples" | uniq -c | sort -rn | head -8 | sed 's/^/    /' >&2
}

metrics_summary() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '
    /^converge_receipt_batch_size_(sum|count)/ { r[$1] = $NF }
    /^converge_dispatch_batch_size_(sum|count)/ { d[$1] = $NF }
    END {
      if (r["converge_receipt_batch_size_count"] > 0)
        printf "  receipt applier: %d batches, %.0f receipts per batch on average\n", r["converge_receipt_batch_size_count"], r["converge_receipt_batch_size_sum"] / r["converge_receipt_batch_size_count"]
      if (d["converge_dispatch_batch_size_count"] > 0)
        printf "  dispatch: %d claims, %.0f messages per claim on average\n", d["converge_dispatch_batch_size_count"], d["converge_dispatch_batch_size_sum"] / d["converge_dispatch_batch_size_count"]
    }' >&2 || true
}

# Polls until every message has been dispatched (accepted by the vendor or skipped); sets DISPATCH_S, SENT_TO_VENDOR.
wait_dispatched() {
  local last=0
  while :; do
    local accepted skipped
    accepted=$(field "$(vendor_stats)" accepted)
    skipped=$(field "$(campaign_view "$ID")" skipped)
    if [ $((accepted + skipped)) -ge "$AUDIENCE" ]; then
      DISPATCH_S=$(since "$T0")
      SENT_TO_VENDOR=$accepted
      return 0
    fi
    local t
    t=$(since "$T0")
    if [ "$(echo "$t - $last >= 10" | bc)" = 1 ]; then
      printf '    t=%5.1f s: %d accepted by the vendor, %d skipped\n' "$t" "$accepted" "$skipped" >&2
      last=$t
    fi
    [ "$(echo "$t > $TIMEOUT" | bc)" = 1 ] && { echo "dispatch not finished after $TIMEOUT s" >&2; exit 1; }
    sleep 0.25
  done
}

# Waits (up to 30 s) until the last dispatch results are recorded: every vendor id known, no message still due.
wait_recorded() {
  for _ in $(seq 1 300); do
    [ "$(sql "SELECT count(*) FROM communication_log WHERE campaign_id = $ID AND next_attempt_at IS NOT NULL")" = 0 ] && return 0
    sleep 0.1
  done
}

phase_campaign() {
  echo "phase campaign: launch → dispatch → every receipt applied (receipts called back by the simulator)" >&2
  PORT=$(free_port)
  start_vendor "http://127.0.0.1:$PORT/api/v1/delivery-receipts"
  start_server
  local mark
  mark=$(cpu_mark)
  pg_sample_start
  launch "bench campaign $RUN_ID"
  wait_dispatched
  printf '  every message dispatched: %.1f s after the POST (%d to the vendor, %.0f messages/s)\n' \
    "$DISPATCH_S" "$SENT_TO_VENDOR" "$(echo "$SENT_TO_VENDOR / $DISPATCH_S" | bc -l)" >&2
  local applied_s= last=0
  while :; do
    local view pending status t
    view=$(campaign_view "$ID")
    pending=$(field "$view" pending)
    status=$(field "$view" status)
    t=$(since "$T0")
    if [ "$pending" = 0 ] && [ -z "$applied_s" ]; then applied_s=$t; fi
    [ "$status" = completed ] && break
    if [ "$(echo "$t - $last >= 10" | bc)" = 1 ]; then
      local vs
      vs=$(vendor_stats)
      printf '    t=%5.1f s: %d pending; vendor: %d receipts delivered, %d pending\n' "$t" "$pending" \
        "$(field "$vs" receipts_delivered)" "$(field "$vs" receipts_pending)" >&2
      last=$t
    fi
    [ "$(echo "$t > $TIMEOUT" | bc)" = 1 ] && { echo "campaign not completed after $TIMEOUT s: $view" >&2; exit 1; }
    sleep 0.25
  done
  local completed_s view receipts
  completed_s=$(since "$T0")
  cpu_report "launch → completed" "$mark" "$completed_s"
  pg_sample_report "launch → completed"
  view=$(campaign_view "$ID")
  receipts=$(($(field "$view" sent) + $(field "$view" failed)))
  printf '  every receipt applied: %.1f s after the POST; campaign completed: %.1f s\n' "$applied_s" "$completed_s" >&2
  printf '  overall: %.0f receipts/s applied, %.0f messages/s (launch → all applied)\n' \
    "$(echo "$receipts / $applied_s" | bc -l)" "$(echo "$SENT_TO_VENDOR / $applied_s" | bc -l)" >&2
  echo "  final stats: $(echo "$view" | json 'd["items"][0]["stats"]')" >&2
  echo "  vendor: $(vendor_stats | json '"%d callback requests, %d receipts delivered, %d retries, %d failed" % (d["callback_requests"], d["receipts_delivered"], d["receipt_retries"], d["receipts_failed"])')" >&2
  metrics_summary
  stop "$SERVER"; stop "$VENDOR"; SERVER= VENDOR=
  forget_campaigns
}

phase_receipts() {
  echo "phase receipts: dispatch without receipts, then the ledger replayed as signed batches of 1,000 (8 in flight)" >&2
  PORT=$(free_port)
  start_vendor ""
  start_server
  local mark
  mark=$(cpu_mark)
  pg_sample_start
  launch "bench receipts $RUN_ID"
  wait_dispatched
  printf '  every message dispatched: %.1f s after the POST (%d to the vendor, %.0f messages/s, no receipt traffic)\n' \
    "$DISPATCH_S" "$SENT_TO_VENDOR" "$(echo "$SENT_TO_VENDOR / $DISPATCH_S" | bc -l)" >&2
  cpu_report "launch → dispatched" "$mark" "$DISPATCH_S"
  pg_sample_report "launch → dispatched"
  # The last dispatch results are recorded (vendor ids known) before any receipt is replayed.
  wait_recorded
  metrics_summary
  local result started
  mark=$(cpu_mark)
  started=$(now)
  pg_sample_start
  result=$(/usr/bin/time -f "%U %S" -o "$DIR/replay_cpu" "$REPLAY" --converge "http://127.0.0.1:$PORT" --vendor "http://127.0.0.1:$VPORT" --campaign "$ID" \
    --batch 1000 --in-flight 8 --timeout-secs "$TIMEOUT")
  echo "  $result" >&2
  echo "  the replay client itself used $(awk '{ printf "%.1f", $1 + $2 }' "$DIR/replay_cpu") s of CPU" >&2
  cpu_report "the replay (ledger read, POSTs, applying; 'other' includes the replay client)" "$mark" "$(since "$started")"
  pg_sample_report "the replay"
  metrics_summary
  stop "$SERVER"; stop "$VENDOR"; SERVER= VENDOR=
  forget_campaigns
}

phase_applier() {
  [ "$MODE" = production ] || { echo "phase applier: production mode only (the embedded queue is in-process)" >&2; return 0; }
  echo "phase applier: the ledger POSTed to an API-only node, then a worker process applies the queued receipts" >&2
  PORT=$(free_port)
  start_vendor ""
  start_server
  launch "bench applier $RUN_ID"
  wait_dispatched
  wait_recorded
  stop "$SERVER"
  start_server api
  "$REPLAY" --converge "http://127.0.0.1:$PORT" --vendor "http://127.0.0.1:$VPORT" --campaign "$ID" \
    --batch 1000 --in-flight 8 --timeout-secs "$TIMEOUT" >"$DIR/replay.out" 2>"$DIR/replay.err" &
  local replay=$! queued=
  for _ in $(seq 1 $((TIMEOUT * 10))); do
    grep -q '^POSTed' "$DIR/replay.err" && { queued=1; break; }
    kill -0 "$replay" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$queued" ] || { cat "$DIR/replay.err" >&2; echo "the replay did not finish POSTing" >&2; exit 1; }
  sed 's/^/  /' "$DIR/replay.err" >&2
  local waiting
  waiting=$(field "$(campaign_view "$ID")" pending)
  echo "  before the worker starts: $waiting messages pending; receipt streams: $(redis-cli --scan --pattern "${CONVERGE_REDIS_PREFIX}*" | while read -r k; do [ "$(redis-cli TYPE "$k")" = stream ] && printf '%s=%s ' "$k" "$(redis-cli XLEN "$k")"; done)" >&2
  local mark started worker pending t
  mark=$(cpu_mark)
  started=$(now)
  vendor_env "$BIN" worker --bind 127.0.0.1:$(free_port) --data-dir "$DATA" 2>>"$DIR/worker.log" &
  worker=$!
  pg_sample_start
  while :; do
    pending=$(field "$(campaign_view "$ID")" pending)
    t=$(since "$started")
    [ "$pending" = 0 ] && break
    [ "$(echo "$t > $TIMEOUT" | bc)" = 1 ] && { echo "receipts not applied after $TIMEOUT s" >&2; exit 1; }
    sleep 0.1
  done
  printf '  worker start → every receipt applied: %.2f s, %.0f receipts/s (worker start-up included)\n' \
    "$t" "$(echo "$waiting / $t" | bc -l)" >&2
  cpu_report "the worker applying" "$mark" "$t"
  pg_sample_report "the worker applying"
  wait "$replay" 2>/dev/null || true
  stop "$worker"
  stop "$SERVER"; stop "$VENDOR"; SERVER= VENDOR=
  forget_campaigns
}

echo "mode: $MODE, $(nproc) cores, $CUSTOMERS customers / $ORDERS orders; delivery: dispatchers=$CONVERGE_DELIVERY__DISPATCHERS claim_batch=$CONVERGE_DELIVERY__CLAIM_BATCH send_batch=$CONVERGE_DELIVERY__SEND_BATCH concurrency=$CONVERGE_DELIVERY__CONCURRENCY receipt_batch=$CONVERGE_DELIVERY__RECEIPT_BATCH receipt_flush_ms=$CONVERGE_DELIVERY__RECEIPT_FLUSH_MS receipt_appliers=$CONVERGE_DELIVERY__RECEIPT_APPLIERS" >&2
for phase in $PHASES; do
  "phase_$phase"
done
grep -hE '"level":"(ERROR|WARN)"' "$DIR/server.log" 2>/dev/null | head -5 >&2 || true
