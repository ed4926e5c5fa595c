-- wrk script: POST /api/v1/segments/preview with the rules of bench/rules.json in turn.
-- The bodies file (one JSON body per line) is made by bench/preview.sh from rules.json.
local key = os.getenv("BENCH_KEY")
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end
local next_body = 0

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  next_body = math.random(#bodies) - 1
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/api/v1/segments/preview", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }, bodies[next_body])
end

function done(summary, latency, requests)
  io.write(string.format("PREVIEW requests=%d errors=%d p50=%.2fms p90=%.2fms p95=%.2fms p99=%.2fms max=%.2fms rps=%.1f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
