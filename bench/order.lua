-- wrk script: POST one new order per request, each with a unique external id.
-- Usage: wrk -s order.lua ... (env BENCH_KEY = API key with the ingest scope)
local key = os.getenv("BENCH_KEY")
local run = os.getenv("RUN_ID") or tostring(os.time())
local thread_no = 0
local counter = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local id = run .. "-" .. tid .. "-" .. counter
  local body = '{"external_id":"O' .. id .. '","customer_external_id":"C' .. (counter % 5000) ..
    '","amount":"1499.00","currency":"INR","ordered_at":"2026-05-01T10:00:00Z"}'
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }, body)
end
