-- wrk script: POST batches of BATCH (default 1000) new orders per request, unique ids throughout.
local key = os.getenv("BENCH_KEY")
local run = os.getenv("RUN_ID") or tostring(os.time())
local size = tonumber(os.getenv("BATCH") or "1000")
local thread_no = 0
local counter = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end

function request()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = '{"external_id":"B' .. run .. "-" .. tid .. "-" .. counter .. '","customer_external_id":"C' ..
      (counter % 50000) .. '","amount":"249.50","ordered_at":"2026-05-01T10:00:00Z"}'
  end
  return wrk.format("POST", "/api/v1/orders/batch", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }, '{"items":[' .. table.concat(parts, ",") .. ']}')
end
