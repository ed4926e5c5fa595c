#!/usr/bin/env bash
# Sign-in flood: peak memory of the real server under N parallel password sign-ins.
#
#   bench/signin.sh [parallel] [mode]     (default 100 bounded; mode: bounded | unbounded)
#
# Embedded mode (SQLite, nothing to set up). Each attempt is for its own unknown account from its own
# 127.0.x.y address, so no throttle budget applies: what is measured is argon2 work alone (a dummy hash is
# verified for unknown accounts, at the cost of a real one). `bounded` runs the defaults (one hashing slot per
# core, a queue of 64, 2 s wait); `unbounded` gives 512 slots (tokio's blocking-pool size) and a queue of
# 1000: what the server did before hashing was bounded. Peak RSS is VmHWM from /proc/<pid>/status.
set -euo pipefail
PARALLEL=${1:-100}
MODE=${2:-bounded}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/converge}
[ -x "$BIN" ] || BIN=$TARGET/debug/converge
PORT=${PORT:-18190}
DIR=$(mktemp -d)
export RUST_LOG=${RUST_LOG:-warn} CONVERGE_LOG_FORMAT=json
if [ "$MODE" = unbounded ]; then
  export CONVERGE_AUTH__PASSWORD_HASHING_SLOTS=512 CONVERGE_AUTH__PASSWORD_HASHING_QUEUE=1000
  export CONVERGE_AUTH__PASSWORD_HASHING_WAIT_MS=600000
fi
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

"$BIN" serve --bind 127.0.0.1:$PORT --data-dir "$DIR" 2>"$DIR/server.log" &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$SERVER/status"; }
attempt() {
  curl -s -o /dev/null -w '%{http_code}\n' --interface "$2" -H 'Content-Type: application/json' \
    -d "{\"email\":\"nobody$1@bench.example\",\"password\":\"not the password $1\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login"
}
# One attempt first, so the dummy hash and the allocator are warm in both modes.
attempt warm 127.0.9.1 >/dev/null
before=$(hwm)
started=$(date +%s.%N)
for i in $(seq 1 "$PARALLEL"); do
  attempt "$i" "127.0.$((i / 250 + 1)).$((i % 250 + 2))" >>"$DIR/codes" &
done
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
elapsed=$(echo "$(date +%s.%N) - $started" | bc -l)
after=$(hwm)
echo "mode=$MODE parallel=$PARALLEL binary=$BIN cores=$(nproc)"
echo "answers: $(sort "$DIR/codes" | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')"
printf 'peak RSS (VmHWM): %d MiB before the flood, %d MiB after; %.1f s for the flood\n' \
  $((before / 1024)) $((after / 1024)) "$elapsed"
