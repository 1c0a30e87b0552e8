-- wrk script: POST the JSON body given in the BODY environment variable (with an Authorization header).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench-key")
