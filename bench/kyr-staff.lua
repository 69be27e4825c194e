-- wrk script: a signed-in MOIA staff member working while the public
-- Know-Your-Rights pages take a surge. Alternates the /incidents HTML page
-- (session cookie) and GET /api/v1/incidents (bearer token), both the
-- first page of 50 with the total, sorted as staff see them by default.
-- Each connection waits BENCH_STAFF_DELAY ms (default 50) between its
-- requests, so the staff load stays modest and the same whether the
-- server is busy or not: with 4 connections at most 80 requests/s.
-- wrk's latency counts from sending a request to its answer, without the
-- wait.
--
--   HAVEN_BENCH_SESSION=... HAVEN_BENCH_READ_TOKEN=... \
--     wrk -t1 -c4 -d20s --latency -s bench/kyr-staff.lua http://127.0.0.1:PORT
--
-- bench/kyr.sh sets the environment from DATA/bench.env (written by
-- haven-bench-gen).

local session = os.getenv("HAVEN_BENCH_SESSION") or error("HAVEN_BENCH_SESSION is not set")
local token = os.getenv("HAVEN_BENCH_READ_TOKEN") or error("HAVEN_BENCH_READ_TOKEN is not set")
local wait_ms = tonumber(os.getenv("BENCH_STAFF_DELAY") or "50")

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

counter, codes, bad = 0, {}, 0 -- globals: done() reads them per thread

local page, api
function init(args)
  -- formatted here, not at load: wrk adds the Host header before init
  page = wrk.format("GET", "/incidents", { ["Cookie"] = "__Host-haven=" .. session })
  api = wrk.format("GET", "/api/v1/incidents", { ["Authorization"] = "Bearer " .. token })
end

function request()
  counter = counter + 1
  if counter % 2 == 0 then return page end
  return api
end

function delay()
  return wait_ms
end

function response(status, headers, body)
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
end
