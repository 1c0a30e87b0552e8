-- wrk script: POST a chat request whose user message is unique per request (thread id, counter and RUN from the
-- environment), so the response cache misses every time and each request does the full shared-state work (cache
-- lookup and store, budget reservation and settlement, route state, analytics). MODEL picks the gateway model.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local counter = 0
local model = os.getenv("MODEL") or "fallback"
local run = os.getenv("RUN") or "0"
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench-key" }

function request()
  counter = counter + 1
  local body = string.format('{"model":"%s","messages":[{"role":"user","content":"Hello, benchmark %s-%d-%d"}]}', model, run, tid or 0, counter)
  return wrk.format("POST", nil, headers, body)
end
