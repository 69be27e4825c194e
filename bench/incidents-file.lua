-- wrk script: files incident reports through the API, as a department's
-- liaison tool would. Authenticated JSON POST /api/v1/incidents with a
-- bearer token, a valid report body, and a unique Idempotency-Key per
-- request. Counts answers by status; a report is acknowledged only with 201.
--
--   HAVEN_BENCH_FILE_TOKEN=... HAVEN_BENCH_FACILITIES=12,13,14 \
--     wrk -t2 -c32 -d10s -s bench/incidents-file.lua http://127.0.0.1:PORT
--
-- bench/incidents.sh sets the environment from DATA/bench.env (written by
-- haven-bench-gen). Set BENCH_ALERTS=1 to file quick alerts
-- (POST /api/v1/alerts) instead.

local token = os.getenv("HAVEN_BENCH_FILE_TOKEN") or error("HAVEN_BENCH_FILE_TOKEN is not set")
local facs = {}
for id in string.gmatch(os.getenv("HAVEN_BENCH_FACILITIES") or "", "%d+") do
  facs[#facs + 1] = tonumber(id)
end
if #facs == 0 then error("HAVEN_BENCH_FACILITIES is not set") end
local alerts = os.getenv("BENCH_ALERTS") == "1"

local threads = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
  threads[#threads + 1] = thread
end

counter, run, codes, acked, errors = 0, "", {}, 0, 0 -- globals: done() reads them per thread
-- yesterday, in city time is close enough: Haven refuses times in the future
local started = os.date("!%Y-%m-%dT%H:%M", os.time() - 2 * 86400)

local narratives = {
  "Agents waited in the parking lot and asked staff to open the staff entrance. The manager asked for a judicial warrant and none was shown. The agents left after twenty minutes.",
  "Two unmarked vehicles stopped at the loading dock. Staff kept the public lobby open and called the liaison, following the posted protocol.",
  "A group of agents walked through the courtyard and spoke with the security guard. They did not enter any non-public area.",
}

function init(args)
  run = string.format("%d-%d-%d", os.time(), tid, math.random(1, 1e9))
  math.randomseed(os.time() + tid * 7919)
end

local function body()
  local fac = facs[math.random(1, #facs)]
  if alerts then
    return string.format('{"facility_id":%d,"happening":"agents_present","agencies":["ice_ero"],"entry_requested":false}', fac)
  end
  return string.format(
    '{"facility_id":%d,"started_at":"%s","agencies":["ice_ero","cbp"],"agents_count":%d,' ..
    '"vehicles_count":2,"document_type":"admin_i200","access":"refused","area":"Public lobby",' ..
    '"services_disrupted":false,"narrative":"%s"}',
    fac, started, math.random(1, 12), narratives[math.random(1, #narratives)])
end

local path = alerts and "/api/v1/alerts" or "/api/v1/incidents"

function request()
  counter = counter + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. counter,
  }, body())
end

function response(status, headers, resp)
  codes[status] = (codes[status] or 0) + 1
  if status == 201 then acked = acked + 1 else errors = errors + 1 end
end

function done(summary, latency, requests)
  local total_acked, total_errors, all = 0, 0, {}
  for _, t in ipairs(threads) do
    total_acked = total_acked + t:get("acked")
    total_errors = total_errors + t:get("errors")
    for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("acknowledged (201): %d, %.1f/s\n", total_acked, total_acked / secs))
  io.write(string.format("not acknowledged (non-201): %d\n", total_errors))
  for k, v in pairs(all) do io.write(string.format("status %d: %d\n", k, v)) end
end
