-- wrk script of scripts/benchmark: sends the requests listed in the file named
-- by BENCH_REQUESTS (one a line: METHOD<TAB>BODY<TAB>SIGNATURE, body and
-- signature may be empty), in turn, and prints one machine-readable line with
-- the results when the run is over.
--   BENCH_REQUESTS=requests.tsv wrk -t1 -c8 -d6s --latency -s bench_wrk.lua URL

local requests = {}
local next_index = 1

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  local file = assert(io.open(path, "r"), "cannot read " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then
      local fields = split_tabs(line)
      local method, body, signature = fields[1], fields[2], fields[3]
      local headers = {}
      if body ~= nil and body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      if signature ~= nil and signature ~= "" then
        headers["X-Hub-Signature-256"] = signature
      end
      requests[#requests + 1] = wrk.format(method, nil, headers, body)
    end
  end
  file:close()
  assert(#requests > 0, "no request in " .. path)
end

function request()
  local req = requests[next_index]
  next_index = next_index % #requests + 1
  return req
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d connect=%d read=%d write=%d "
      .. "status=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d mean_us=%.1f max_us=%d\n",
    summary.requests, summary.duration, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.mean, latency.max
  ))
end
