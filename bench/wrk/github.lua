-- wrk script: signed GitHub deliveries, each with a fresh X-GitHub-Delivery GUID.
-- The body is constant for a run, so its X-Hub-Signature-256 is computed once by run.sh.
-- Inputs (environment): BENCH_BODY_FILE, BENCH_SIGNATURE ("sha256=<hex>"), BENCH_EVENT,
-- BENCH_HOOK_ID, BENCH_RUN_NONCE (8 hex digits, keeps GUIDs unique across runs).
-- Output: done() prints one line "BENCH_RESULT {json}" for run.sh to parse.
-- wrk gives every thread its own Lua state: counters live per thread and are summed in done().

local function env(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error("github.lua: " .. name .. " is not set") end
  return v
end

local thread_index = 0
local threads = {}

-- Runs in the setup state, once per thread, before any request.
function setup(thread)
  thread:set("thread_id", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

local pre, post
local counter = 0
local nonce
status_counts = {}

-- The request is formatted once with a fixed-width placeholder and split around it, so that each
-- request() is one concatenation instead of a full wrk.format over a 25 KB body.
local placeholder = "@@DELIVERY-PLACEHOLDER@@"

function init(args)
  local f = assert(io.open(env("BENCH_BODY_FILE"), "rb"))
  local body = f:read("*a")
  f:close()
  nonce = tonumber(env("BENCH_RUN_NONCE"), 16)
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = env("BENCH_EVENT"),
    ["X-GitHub-Hook-ID"] = env("BENCH_HOOK_ID"),
    ["X-GitHub-Hook-Installation-Target-Type"] = "repository",
    ["X-GitHub-Hook-Installation-Target-ID"] = "1",
    ["X-Hub-Signature-256"] = env("BENCH_SIGNATURE"),
    ["X-GitHub-Delivery"] = placeholder,
  }
  local req = wrk.format("POST", wrk.path, headers, body)
  local at = assert(string.find(req, placeholder, 1, true))
  pre = string.sub(req, 1, at - 1)
  post = string.sub(req, at + #placeholder)
end

function request()
  counter = counter + 1
  -- GUID shape like GitHub's: run nonce, thread, per-thread counter.
  local id = string.format("%08x-%04x-4000-8000-%012x", nonce, thread_id, counter)
  return pre .. id .. post
end

function response(status, headers, body)
  status_counts[status] = (status_counts[status] or 0) + 1
end

local function num(x)
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  return string.format("%.3f", x)
end

function done(summary, latency, requests)
  local counts = {}
  local non_2xx = 0
  local counted = 0
  for _, t in ipairs(threads) do
    local c = t:get("status_counts") or {}
    for status, n in pairs(c) do
      counts[status] = (counts[status] or 0) + n
      counted = counted + n
      if status < 200 or status > 299 then non_2xx = non_2xx + n end
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  table.sort(parts)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%s,"requests_per_s":%s,'
      .. '"latency_ms":{"p50":%s,"p90":%s,"p99":%s,"max":%s,"mean":%s},'
      .. '"status_counts":{%s},"non_2xx":%d,"responses_counted":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status_over_399":%d,"timeout":%d}}\n',
    summary.requests, num(seconds), num(summary.requests / seconds),
    num(latency:percentile(50) / 1000), num(latency:percentile(90) / 1000),
    num(latency:percentile(99) / 1000), num(latency.max / 1000), num(latency.mean / 1000),
    table.concat(parts, ","), non_2xx, counted,
    e.connect, e.read, e.write, e.status, e.timeout))
end
