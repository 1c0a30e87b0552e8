#!/usr/bin/env bash
# Does the Native AOT gateway answer what the ReadyToRun (JIT) gateway answers? Starts both publishes (run.sh's PUB and
# PUB_AOT; publish them with `AOT=1 COLD_ONLY=1 COLD_RUNS=1 eng/bench/gateway/run.sh` or the commands in the README)
# against mock-upstream.mjs with the same configuration, sends the same requests to each (chat JSON and SSE, models,
# health, every management endpoint with and without the admin key, the OpenAPI document, the dashboard) and compares
# status codes and the JSON shapes (every key path; values that change per run such as times are not compared). The
# configuration also exercises the paths that AOT changes: configuration binding (a catalog override, fallback
# options) and the management API's generated JSON. Profile overrides of every kind (a string, enums, a list, a nested
# quirk object, lists of objects) are set through environment configuration and checked in both builds: in
# /v1/providers (capabilities come from the profile) and in what the gateway sent the mock (its GET /last-request).
# Exit code 0 when every answer matches and is as expected.
# Usage: eng/bench/gateway/aot-check.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
PUB="${PUB:-artifacts/bench/gateway}"; PUB_AOT="${PUB_AOT:-artifacts/bench/gateway-aot}"
UP_PORT="${UP_PORT:-18191}"; JIT_PORT="${JIT_PORT:-18180}"; AOT_PORT="${AOT_PORT:-18181}"
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
for f in "$PUB/CompatAI.Gateway" "$PUB_AOT/CompatAI.Gateway"; do [ -x "$f" ] || { echo "missing $f: publish first" >&2; exit 2; }; done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" >/dev/null 2>&1 & pids+=($!)
source eng/bench/mock-gateway-env.sh; mock_gateway_env fallback
# Profile overrides, one of each kind; the checks below look for each one's effect.
PROFILE_OVERRIDES=(
  CompatAI__Profiles__openai__DisplayName="OpenAI as configured"                 # string
  CompatAI__Profiles__openai__AuthStyle="xapikey"                                # enum (profile; member names in any case): the key goes in x-api-key
  CompatAI__Profiles__openai__Quirks__SystemRole="Unsupported"                   # enum (quirk): system messages are merged into the user message
  CompatAI__Profiles__openai__Quirks__UnsupportedParameters__0="seed"            # list (replaces the catalog's): seed is dropped
  CompatAI__Profiles__openai__Quirks__UnsupportedParameters__1="tools"           #   ... and /v1/providers says tools: false
  CompatAI__Profiles__openai__Quirks__SupportsJsonSchema="false"                 # nested quirk object (bool): jsonSchema: false
  CompatAI__Profiles__openai__ContextWindows__0__ModelPattern="^gpt-4o-mini$"    # list of objects (int): contextWindowTokens: 4242
  CompatAI__Profiles__openai__ContextWindows__0__Tokens="4242"
  CompatAI__Profiles__openai__ModelRules__0__ModelPattern="^gpt-4o-mini$"        # list of objects with a nested quirk list: reasoning: true
  CompatAI__Profiles__openai__ModelRules__0__Quirks__ReasoningTags__0="think"
)
start() { # executable port log
  env "${MOCK_ENV[@]}" "${PROFILE_OVERRIDES[@]}" \
  CompatAI__FallbackOptions__CircuitBreaker__BreakDuration="00:00:42" \
  CompatAI__Gateway__Management__AdminKey="bench-admin" \
    "$1" --urls "http://127.0.0.1:$2" >"$3" 2>&1 &
  pids+=($!)
}
start "$PUB/CompatAI.Gateway" "$JIT_PORT" /tmp/aot-check-jit.log
start "$PUB_AOT/CompatAI.Gateway" "$AOT_PORT" /tmp/aot-check-aot.log
for p in "$JIT_PORT" "$AOT_PORT"; do
  for _ in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$p/healthz" && break; sleep 0.05; done
done

OUT=$(mktemp -d)
shape() { # file -> the JSON's key paths (array indices as []), or the first bytes when it is not JSON
  jq -r '[paths | map(if type == "number" then "[]" else . end) | join(".")] | unique | .[]' "$1" 2>/dev/null || head -c 80 "$1"
}
ask() { # name expected-status method path [body] [admin]
  local name=$1 want=$2 method=$3 path=$4 body=${5:-} admin=${6:-}
  local args=(-s -X "$method" -w '%{http_code}'); [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  [ -n "$admin" ] && args+=(-H "Authorization: Bearer $admin")
  local j a; j=$(curl "${args[@]}" -o "$OUT/$name.jit" "http://127.0.0.1:$JIT_PORT$path"); a=$(curl "${args[@]}" -o "$OUT/$name.aot" "http://127.0.0.1:$AOT_PORT$path")
  local verdict=ok
  if [ "$j" != "$want" ] || [ "$a" != "$want" ]; then verdict="FAIL (status: JIT $j, AOT $a, expected $want)"
  elif [[ "$name" == sse* ]]; then
    # SSE: the same number of events, and the same shape for each event's JSON
    diff <(grep -c '^data: ' "$OUT/$name.jit") <(grep -c '^data: ' "$OUT/$name.aot") >/dev/null || verdict="FAIL (event count)"
    diff <(sed -n 's/^data: {/{/p' "$OUT/$name.jit" | jq -c '[paths | map(if type == "number" then "[]" else . end) | join(".")] | unique') \
         <(sed -n 's/^data: {/{/p' "$OUT/$name.aot" | jq -c '[paths | map(if type == "number" then "[]" else . end) | join(".")] | unique') >/dev/null || verdict="FAIL (event shapes differ)"
  elif ! diff <(shape "$OUT/$name.jit") <(shape "$OUT/$name.aot") >"$OUT/$name.diff"; then verdict="FAIL (shapes differ: $OUT/$name.diff)"
  fi
  printf '%-28s %-4s %-40s %s\n' "$name" "$a" "$method $path" "$verdict"
  [ "$verdict" = ok ] || FAILED=1
}
FAILED=0
CHAT='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
STREAM='{"model":"openai/gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}'
ask healthz 200 GET /healthz
ask models 200 GET /v1/models
ask chat-json 200 POST /v1/chat/completions "$CHAT"
ask sse-chat 200 POST /v1/chat/completions "$STREAM"
ask chat-echo 200 POST /v1/chat/completions '{"model":"echo/echo-1","messages":[{"role":"user","content":"Hi"}]}'
ask chat-bad-model 404 POST /v1/chat/completions '{"model":"nope/x","messages":[{"role":"user","content":"Hi"}]}'
ask chat-bad-json 400 POST /v1/chat/completions '{"model":'
ask providers-no-key 401 GET /v1/providers
for e in providers routing performance analytics capabilities; do ask "$e" 200 GET "/v1/$e" "" bench-admin; done
ask openapi 200 GET /openapi/management.json "" bench-admin
ask dashboard 200 GET /dashboard/
ask dashboard-js 200 GET /dashboard/dashboard.js

# Values that configuration binding must have carried over, in both builds.
for b in jit aot; do
  jq -e '.data[] | select(.name == "openai") | .displayName == "OpenAI as configured"' "$OUT/providers.$b" >/dev/null \
    || { echo "FAIL ($b): the catalog override CompatAI:Profiles:openai:DisplayName did not reach /v1/providers"; FAILED=1; }
  jq -e '[.. | objects | select(has("breakDurationSeconds")) | .breakDurationSeconds] | any(. == 42)' "$OUT/routing.$b" >/dev/null \
    || { echo "FAIL ($b): CompatAI:FallbackOptions:CircuitBreaker:BreakDuration (42 s) did not reach /v1/routing"; FAILED=1; }
  grep -q 'Hello from the mock.' "$OUT/chat-json.$b" || { echo "FAIL ($b): the chat answer is not the mock's"; FAILED=1; }
done
# What the gateway sent upstream for a chat with a system message, a seed and a temperature (the mock keeps the last POST).
BEFORE_OVERRIDES=$FAILED
SYSTEM_CHAT='{"model":"openai/gpt-4o-mini","seed":7,"temperature":0.5,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]}'
for b in jit aot; do
  port=$JIT_PORT; [ "$b" = aot ] && port=$AOT_PORT
  status=$(curl -s -o "$OUT/system-chat.$b" -w '%{http_code}' -H 'Content-Type: application/json' --data "$SYSTEM_CHAT" "http://127.0.0.1:$port/v1/chat/completions")
  curl -s -o "$OUT/upstream.$b" "http://127.0.0.1:$UP_PORT/last-request"
  [ "$status" = 200 ] || { echo "FAIL ($b): the chat with a system message answered $status"; FAILED=1; }
  jq -e '.data[] | select(.name == "openai") | .capabilities | .tools == false and .jsonSchema == false and .contextWindowTokens == 4242 and .reasoning == true' "$OUT/providers.$b" >/dev/null \
    || { echo "FAIL ($b): the list, nested quirk and list-of-object overrides (tools, jsonSchema, contextWindowTokens, reasoning) did not reach /v1/providers"; FAILED=1; }
  jq -e '.headers["x-api-key"] == "bench-key" and (.headers | has("authorization") | not)' "$OUT/upstream.$b" >/dev/null \
    || { echo "FAIL ($b): the enum override AuthStyle=xapikey did not put the key in x-api-key upstream"; FAILED=1; }
  jq -e '.body | fromjson | ([.messages[].role] | index("system") == null) and (.messages[0].content | tostring | contains("Be brief."))' "$OUT/upstream.$b" >/dev/null \
    || { echo "FAIL ($b): the enum override Quirks:SystemRole=Unsupported did not merge the system message upstream"; FAILED=1; }
  jq -e '.body | fromjson | (has("seed") | not) and .temperature == 0.5' "$OUT/upstream.$b" >/dev/null \
    || { echo "FAIL ($b): the list override Quirks:UnsupportedParameters did not drop seed upstream (or temperature was not sent)"; FAILED=1; }
done
printf '%-28s %s\n' profile-overrides "$( [ "$FAILED" = "$BEFORE_OVERRIDES" ] && echo 'ok (string, enums, list, nested quirk object, lists of objects; JIT and AOT)' || echo 'see FAIL lines above')"
grep -h -i -E 'fail|exception' /tmp/aot-check-jit.log /tmp/aot-check-aot.log | head -5 || true
echo "answers in $OUT; $( [ "$FAILED" = 0 ] && echo 'all match' || echo 'MISMATCHES' )"
exit "$FAILED"
