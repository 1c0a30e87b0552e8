-- wrk script: like post.lua, and also collects the gateway's own x-compat-overhead-ms header
-- (its time up to the response headers, minus the wait for the provider) and prints its p50 and p99.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench-key")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  samples = {}
end

function response(status, headers, body)
  local v = headers["x-compat-overhead-ms"]
  if v then samples[#samples + 1] = tonumber(v) end
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("samples")) do all[#all + 1] = v end
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return 0 end
    return all[math.max(1, math.ceil(#all * p))]
  end
  io.write(string.format("OVERHEAD %.3f %.3f %d\n", pct(0.50), pct(0.99), #all))
end
