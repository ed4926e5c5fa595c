#!/usr/bin/env bash
# Web UI figures for docs/BENCHMARKS.md: the production build's size (raw and gzip, per file) and the first
# load of the app from the release binary on 127.0.0.1, in Debian's Chromium driven by playwright-core
# (fresh browser context per run, so nothing is cached).
#
#   bench/web.sh [runs]        (default 10; needs web/node_modules and /usr/bin/chromium)
#
# The release binary is built if needed; the demo data is 3,000 customers and 15,000 orders.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}

# The committed build is what the binary embeds (crates/server/tests/web.rs keeps it equal to the sources).
echo "== web/dist as committed (bytes, gzip -9)"
total_raw=0 total_gz=0
printf '%-48s %10s %10s\n' file bytes gzip
while IFS= read -r f; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %10d %10d\n' "${f#web/dist/}" "$raw" "$gz"
done < <(find web/dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' \) | sort)
printf '%-48s %10d %10d\n' total "$total_raw" "$total_gz"
entry=$(grep -o 'assets/index-[^"]*\.js' web/dist/index.html | head -1)
css=$(grep -o 'assets/index-[^"]*\.css' web/dist/index.html | head -1)
echo "first load needs index.html + $entry + $css + the page's chunk"

echo "== release binary"
cargo build --release --bin converge -q
bin=${CARGO_TARGET_DIR:-target}/release/converge

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$data/serve.log"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
"$bin" demo --data-dir "$data" --customers 3000 --orders 15000 >/dev/null 2>&1
"$bin" serve --data-dir "$data" --bind "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
token=$(grep -o '"token": "[^"]*"' "$log" | head -1 | cut -d'"' -f4)
curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/setup" -H 'Content-Type: application/json' \
  -d "{\"token\": \"$token\", \"email\": \"bench@example.com\", \"password\": \"bench-password-123\"}" >/dev/null

echo "== first load ($runs runs each, cold browser cache)"
(cd web && node e2e/bench-load.mjs "http://127.0.0.1:$port" bench@example.com bench-password-123 "$runs")
