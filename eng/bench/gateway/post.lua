-- wrk script: POST the JSON body given in the BODY environment variable (with an Authorization header), plus any
-- extra headers in HEADERS ("name: value" pairs separated by "|", for Portkey's x-portkey-* routing headers).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench-key")
for pair in string.gmatch(os.getenv("HEADERS") or "", "[^|]+") do
  local name, value = string.match(pair, "^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
