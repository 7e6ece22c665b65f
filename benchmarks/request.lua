-- wrk script for the load benchmarks (benchmarks/load.py): repeat one request, count the answers
-- that are not the expected one, and print one machine-readable line of results.
--
--   wrk -t1 -c4 -d10s -s benchmarks/request.lua http://127.0.0.1:PORT/path/ \
--       -- METHOD EXPECT BODY_FILE ["Name: value" ...]
--
-- EXPECT is "2xx" (any 2xx answer is right) or one status, such as 302 for a form that redirects.
-- BODY_FILE is "-" for a request without a body. Each further argument is a header.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   wrk.method = assert(args[1], "usage: ... -- METHOD EXPECT BODY_FILE [header ...]")
   if args[2] == "2xx" then
      expected = nil
   else
      expected = assert(tonumber(args[2]), "EXPECT is 2xx or a status")
   end
   if args[3] and args[3] ~= "-" then
      local file = assert(io.open(args[3], "rb"))
      wrk.body = file:read("*a")
      file:close()
   end
   for index = 4, #args do
      local name, value = string.match(args[index], "^([^:]+):%s*(.*)$")
      wrk.headers[assert(name, "a header is Name: value")] = value
   end
   -- Globals, so done() can read them from each thread.
   responses = 0
   non2xx = 0
   first_bad = ""
end

function response(status, headers, body)
   responses = responses + 1
   local good
   if expected then
      good = status == expected
   else
      good = status >= 200 and status <= 299
   end
   if not good then
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
   -- "non_2xx" counts the answers other than the expected one (the name predates EXPECT).
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
