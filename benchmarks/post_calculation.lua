-- wrk script for benchmarks/bench_calculation.py: POST a JSON body, count non-2xx answers and
-- print one machine-readable line of results.
--
--   wrk -t1 -c4 -d10s -s benchmarks/post_calculation.lua http://127.0.0.1:PORT/path/ -- body.json

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1], "rb"), "usage: ... -- <body.json>")
   wrk.method = "POST"
   wrk.body = file:read("*a")
   file:close()
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json"
   -- Globals, so done() can read them from each thread.
   responses = 0
   non2xx = 0
   first_bad = ""
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

local function quote(text)
   return '"' .. string.gsub(text, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end) .. '"'
end

function done(summary, latency, requests)
   local counted, bad, example = 0, 0, ""
   for _, thread in ipairs(threads) do
      counted = counted + thread:get("responses")
      bad = bad + thread:get("non2xx")
      if example == "" then
         example = thread:get("first_bad")
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"duration_us": %d, "requests": %d, "responses": %d, "non_2xx": %d, '
         .. '"first_non_2xx": %s, "socket_errors": {"connect": %d, "read": %d, "write": %d, '
         .. '"timeout": %d}, "latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, '
         .. '"p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
      summary.duration, summary.requests, counted, bad, quote(example),
      errors.connect, errors.read, errors.write, errors.timeout,
      latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99)))
end
