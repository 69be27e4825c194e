-- wrk script: lists incident reports with filters, as MOIA's staff do:
-- GET /api/v1/incidents?department_id=D&status=S&from=F&to=T (a page of
-- 50 with the total), a different department, status and date range on
-- each request. With BENCH_PAGE=1 it asks for the /incidents HTML page with
-- the same filters, signed in by a session cookie instead of a token.
--
--   HAVEN_BENCH_READ_TOKEN=... HAVEN_BENCH_DEPTS=1,2,3 \
--     wrk -t2 -c8 -d10s -s bench/incidents-list.lua http://127.0.0.1:PORT
--
-- BENCH_LIST_RANGE sets the date range: "month" (default, a 31-day window
-- somewhere in the last 5 years), "year" or "all" (no dates).

local token = os.getenv("HAVEN_BENCH_READ_TOKEN")
local session = os.getenv("HAVEN_BENCH_SESSION")
local page = os.getenv("BENCH_PAGE") == "1"
local range = os.getenv("BENCH_LIST_RANGE") or "month"
local depts = {}
for id in string.gmatch(os.getenv("HAVEN_BENCH_DEPTS") or "", "%d+") do
  depts[#depts + 1] = tonumber(id)
end
if #depts == 0 then error("HAVEN_BENCH_DEPTS is not set") end
if page and not session then error("HAVEN_BENCH_SESSION is not set") end
if not page and not token then error("HAVEN_BENCH_READ_TOKEN is not set") end

local statuses = { "submitted", "verified", "closed", "in_review", "needs_info", "draft" }
local headers = {}
if page then
  headers["Cookie"] = "__Host-haven=" .. session
else
  headers["Authorization"] = "Bearer " .. token
end

local threads = {}
local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
  threads[#threads + 1] = thread
end

codes, bad = {}, 0 -- globals: done() reads them per thread
function init(args)
  math.randomseed(os.time() + tid * 104729)
end

local day = 86400
function request()
  local q = string.format("department_id=%d&status=%s", depts[math.random(1, #depts)],
    statuses[math.random(1, #statuses)])
  if range ~= "all" then
    local len = range == "year" and 365 or 31
    local from = os.time() - math.random(len, 5 * 365 - 1) * day
    q = q .. "&from=" .. os.date("!%Y-%m-%d", from) .. "&to=" .. os.date("!%Y-%m-%d", from + (len - 1) * day)
  end
  return wrk.format("GET", (page and "/incidents?" or "/api/v1/incidents?") .. q, headers)
end

function response(status, h, body)
  codes[status] = (codes[status] or 0) + 1
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_bad, all = 0, {}
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
    for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end
  end
  io.write(string.format("non-200: %d\n", total_bad))
  for k, v in pairs(all) do io.write(string.format("status %d: %d\n", k, v)) end
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
