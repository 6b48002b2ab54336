-- wrk script for bench/collector.ts: each request posts a report with a fresh id and a window end
-- spread over the last `hours` hours. Args: <body template file> <ingest key> <hours> <run prefix>.
-- The template is the report's JSON without "id" and "window"; both are appended per request.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  template = string.sub(f:read("*a"), 1, -2) -- drop the closing brace
  f:close()
  headers = { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. args[2] }
  hours = tonumber(args[3])
  prefix = args[4] -- 8 hex digits, random per run: ids never repeat across runs
  statuses = {}
  math.randomseed(os.time() * 1000 + thread_no)
end

function request()
  counter = counter + 1
  -- A version-4, variant-1 UUID: run prefix, thread number and a per-thread counter, so unique.
  local id = string.format("%s-%04x-4000-8000-%012x", prefix, thread_no, counter)
  local finish = os.time() * 1000 - math.floor(math.random() * hours) * 3600000
  local body = template .. ',"id":"' .. id .. '","window":{"start":' .. (finish - 60000) .. ',"end":' .. finish .. '}}'
  return wrk.format("POST", "/v1/reports", headers, body)
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency)
  local merged = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do merged[status] = (merged[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, string.format('"%d":%d', status, n)) end
  io.write(string.format('WRK_RESULT {"requests":%d,"seconds":%f,"p50Ms":%f,"p99Ms":%f,"socketErrors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, table.concat(parts, ",")))
end
