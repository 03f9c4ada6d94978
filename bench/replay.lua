-- wrk script for the bench: replays a file of request targets, one per line, each sent exactly once.
-- Usage: wrk ... -s bench/replay.lua <url> -- <targets file> <threads> <method> <action> <once|repeat>
-- Thread i sends lines i, i+threads, i+2*threads, ... With "once" no target (no signed nonce) is sent
-- twice unless the file runs out, which done() reports as "exhausted" (the run is then invalid);
-- with "repeat" (the bare route) the targets are cycled on purpose.

local thread_count = 0
local threads_list = {}

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  threads_list[#threads_list + 1] = thread
end

function init(args)
  local path, threads, method, action = args[1], tonumber(args[2]), args[3], args[4]
  repeat_targets = args[5] == "repeat"
  local headers = { ["Content-Length"] = "0" }
  if action ~= nil and action ~= "" then
    -- The legacy Python SDK repeats Action/Version in these headers.
    headers["x-acs-action"] = action
    headers["x-acs-version"] = "2017-03-21"
  end
  targets = {}
  local line_number = 0
  for line in io.lines(path) do
    if line_number % threads == thread_index then
      targets[#targets + 1] = wrk.format(method, line, headers, "")
    end
    line_number = line_number + 1
  end
  next_target = 0
  exhausted = 0
end

function request()
  next_target = next_target + 1
  if next_target > #targets then
    if not repeat_targets then
      exhausted = exhausted + 1
    end
    next_target = 1
  end
  return targets[next_target]
end

function done(summary, latency, requests)
  local exhausted_total = 0
  for _, thread in ipairs(threads_list) do
    exhausted_total = exhausted_total + (thread:get("exhausted") or 0)
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d},"exhausted":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    exhausted_total))
end
