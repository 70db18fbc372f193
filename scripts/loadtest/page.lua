-- wrk script of `make loadtest`: sends the requests of a plan file in turn, one per line
--   METHOD <tab> PATH <tab> BODY-FILE or - <tab> Header: value <tab> ...
-- and prints, when done, one JSON line with the counts and latency percentiles (microseconds).
--   wrk -t1 -c8 -d10s -s page.lua http://127.0.0.1:PORT -- plan.tsv

local plan = {}
local turn = 0

local function read_all(path)
   local file = assert(io.open(path, "rb"))
   local data = file:read("*a")
   file:close()
   return data
end

function init(args)
   for line in io.lines(args[1]) do
      local fields = {}
      for field in string.gmatch(line, "[^\t]+") do
         table.insert(fields, field)
      end
      local headers = {}
      for i = 4, #fields do
         local name, value = string.match(fields[i], "^([^:]+):%s*(.*)$")
         headers[name] = value
      end
      local body = nil
      if fields[3] ~= "-" then
         body = read_all(fields[3])
      end
      table.insert(plan, wrk.format(fields[1], fields[2], headers, body))
   end
end

function request()
   turn = turn % #plan + 1
   return plan[turn]
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
         .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
         .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, errors.connect, errors.read, errors.write,
      errors.status, errors.timeout, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max
   ))
end
