#!/usr/bin/env bash
# Issue 14's scale-out benchmark, in one run on this machine, everything on 127.0.0.1:
#   upstream      wrk -> mock upstream (eng/bench/gateway/mock-upstream.mjs), for reference
#   local         wrk -> one gateway replica without Redis (in-process state)
#   redis         wrk -> one gateway replica with Redis (the same configuration plus CompatAI:Redis)
#   lb-local      wrk -> YARP (ScaleoutProxy) -> the replica without Redis
#   lb-redis      wrk -> YARP, round-robin -> three replicas sharing one redis-server
# Every replica has the same configuration: a fallback chain of two providers on the mock (requests use model
# "fallback"), the response cache on, an app budget (huge, so nothing is refused) and the management API (analytics);
# post-unique.lua makes every request body unique, so every request misses the cache and does all the shared-state work.
# "shared-state cost" = redis - local at the same percentile; "LB hop" = lb-local - local; "3 replicas + Redis behind
# the LB" = lb-redis - lb-local. Redis round trips and Redis CPU per request come from INFO (commands processed, CPU),
# and gateway CPU per request from /proc/<pid>/stat: both are counts, much less sensitive to other load than latency.
# Load tool: wrk (Debian package; installed here if missing). Rounds are interleaved; the table shows medians.
# Usage: eng/bench/scaleout/run.sh [seconds-per-run=5] [rounds=3]       Output: eng/bench/scaleout/results.md (OUT=...)
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-5}"; ROUNDS="${2:-3}"; CONC="${CONC:-16}"; THREADS=$(( CONC < 2 ? 1 : 2 )) # wrk needs a connection per thread
# The app budget counts requests (no settlement: nothing to correct) or, with BUDGET_UNIT=Cost, USD (an estimate
# reserved, the real cost settled after every answer).
BUDGET_UNIT="${BUDGET_UNIT:-Requests}"
BASE="${BASE_PORT:-18300}"
UP_PORT=$((BASE + 1)); REDIS_PORT=$((BASE + 2)); LOCAL_PORT=$((BASE + 10)); R1=$((BASE + 11)); R2=$((BASE + 12)); R3=$((BASE + 13))
LB_LOCAL=$((BASE + 20)); LB_REDIS=$((BASE + 21))
OUT="${OUT:-eng/bench/scaleout/results.md}"
PUB="${PUB:-artifacts/bench/gateway}"; PROXY="${PROXY:-artifacts/bench/scaleout-proxy}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
if [ "${SKIP_PUBLISH:-0}" != 1 ]; then
  # The published gateway as documented for production (framework-dependent, ReadyToRun), and the YARP host.
  dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null
  dotnet publish -c Release eng/bench/scaleout/ScaleoutProxy/ScaleoutProxy.csproj -o "$PROXY" -v q -nologo >/dev/null
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no >/tmp/bench-scaleout-redis.log 2>&1 & pids+=($!)
REDIS_PID=$!

source eng/bench/mock-gateway-env.sh; mock_gateway_env fallback
start_replica() { # port redis(0|1) -> pid
  local redis=()
  [ "$2" = 1 ] && redis=(CompatAI__Redis__Configuration="127.0.0.1:${REDIS_PORT}" CompatAI__Redis__KeyPrefix="bench:")
  env "${MOCK_ENV[@]}" "${redis[@]}" \
    CompatAI__Gateway__ResponseCache__Enabled="true" \
    CompatAI__Gateway__Budgets__0__Name="bench" \
    CompatAI__Gateway__Budgets__0__Limit="1000000" \
    CompatAI__Gateway__Budgets__0__Unit="$BUDGET_UNIT" \
    "$PUB/CompatAI.Gateway" --urls "http://127.0.0.1:$1" >"/tmp/bench-scaleout-$1.log" 2>&1 &
  echo $!
}
LOCAL_PID=$(start_replica "$LOCAL_PORT" 0); pids+=($LOCAL_PID)
R1_PID=$(start_replica "$R1" 1); pids+=($R1_PID)
R2_PID=$(start_replica "$R2" 1); pids+=($R2_PID)
R3_PID=$(start_replica "$R3" 1); pids+=($R3_PID)
"$PROXY/ScaleoutProxy" --urls "http://127.0.0.1:${LB_LOCAL}" --Backends "http://127.0.0.1:${LOCAL_PORT}" >/tmp/bench-scaleout-lb-local.log 2>&1 & pids+=($!)
"$PROXY/ScaleoutProxy" --urls "http://127.0.0.1:${LB_REDIS}" --Backends "http://127.0.0.1:${R1},http://127.0.0.1:${R2},http://127.0.0.1:${R3}" >/tmp/bench-scaleout-lb-redis.log 2>&1 & pids+=($!)
for port in "$LOCAL_PORT" "$R1" "$R2" "$R3"; do
  for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:${port}/healthz" && break; sleep 0.1; done
done
for port in "$LB_LOCAL" "$LB_REDIS"; do
  for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:${port}/healthz" && break; sleep 0.1; done
done
# With Redis configured, /healthz says "degraded" until the replica's connection is up: wait for "ok".
for port in "$R1" "$R2" "$R3"; do
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:${port}/healthz" | grep -q '"status":"ok"' && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:${port}/healthz" | grep -q '"status":"ok"' || { echo "replica on $port is not healthy with Redis: $(curl -s "http://127.0.0.1:${port}/healthz")" >&2; exit 1; }
done

# Warm-up: a few sequential requests per process first. The first concurrent requests of a fresh gateway with a budget
# all load the tokenizer at once (the budget's cost estimate), which takes seconds; measured runs start after that.
# Every warm-up answer must be a 200: a benchmark of error answers measures nothing.
for port in "$LOCAL_PORT" "$R1" "$R2" "$R3" "$LB_LOCAL" "$LB_REDIS" "$LB_REDIS" "$LB_REDIS"; do
  for i in 1 2 3; do
    code=$(curl -s -o /tmp/bench-scaleout-warm.json -w '%{http_code}' -m 120 -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' \
      --data "{\"model\":\"fallback\",\"messages\":[{\"role\":\"user\",\"content\":\"warm-up $port $i\"}]}" "http://127.0.0.1:${port}/v1/chat/completions")
    [ "$code" = 200 ] || { echo "warm-up request to port $port answered $code: $(head -c 500 /tmp/bench-scaleout-warm.json)" >&2; exit 1; }
  done
done

url() { case $1 in upstream) echo "http://127.0.0.1:${UP_PORT}/v1/chat/completions";; local) echo "http://127.0.0.1:${LOCAL_PORT}/v1/chat/completions";;
  redis) echo "http://127.0.0.1:${R1}/v1/chat/completions";; lb-local) echo "http://127.0.0.1:${LB_LOCAL}/v1/chat/completions";; lb-redis) echo "http://127.0.0.1:${LB_REDIS}/v1/chat/completions";; esac; }
model() { [ "$1" = upstream ] && echo gpt-4o-mini || echo fallback; }
# Counters: Redis commands processed, Redis CPU seconds, and the user+system CPU ticks of the gateway processes a target uses.
redis_info() { redis-cli -p "$REDIS_PORT" info "$1" | tr -d '\r'; }
redis_cmds() { redis_info stats | awk -F: '$1 == "total_commands_processed" { print $2 }'; }
redis_cpu() { redis_info cpu | awk -F: '$1 == "used_cpu_sys" || $1 == "used_cpu_user" { s += $2 } END { printf "%.6f", s }'; }
pids_of() { case $1 in local|lb-local) echo "$LOCAL_PID";; redis) echo "$R1_PID";; lb-redis) echo "$R1_PID $R2_PID $R3_PID";; *) echo "";; esac; }
ticks() { local t=0; for p in $1; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }
HZ=$(getconf CLK_TCK)
run() { # target round -> "p50 p99 rps errors requests redis-cmds-per-req redis-cpu-us-per-req gateway-cpu-us-per-req"
  local t=$1 u; u=$(url "$t")
  MODEL=$(model "$t") RUN="warm-$t-$2" wrk -t"$THREADS" -c"$CONC" -d1s -s eng/bench/scaleout/post-unique.lua "$u" >/dev/null
  local c0 cpu0 g0; c0=$(redis_cmds); cpu0=$(redis_cpu); g0=$(ticks "$(pids_of "$t")")
  local out; out=$(MODEL=$(model "$t") RUN="run-$t-$2" wrk -t"$THREADS" -c"$CONC" -d"${DURATION}s" --latency -s eng/bench/scaleout/post-unique.lua "$u")
  local c1 cpu1 g1; c1=$(redis_cmds); cpu1=$(redis_cpu); g1=$(ticks "$(pids_of "$t")")
  local p50 p99 rps errs n
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  n=$(echo "$out" | awk '/requests in/ { print $1 }')
  errs=$(echo "$out" | awk '/Non-2xx/ { e += $5 } /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }')
  awk -v p50="$p50" -v p99="$p99" -v rps="$rps" -v e="$errs" -v n="$n" -v dc=$((c1 - c0)) -v dcpu="$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { print a - b }')" \
      -v dg=$((g1 - g0)) -v hz="$HZ" -v t="$t" 'BEGIN {
    rc = (t == "redis" || t == "lb-redis") ? sprintf("%.2f", dc / n) : "-"; ru = (t == "redis" || t == "lb-redis") ? sprintf("%.1f", dcpu * 1e6 / n) : "-"
    gc = (t == "upstream") ? "-" : sprintf("%.0f", dg * 1e6 / hz / n)
    printf "%s %s %s %s %s %s %s %s\n", p50, p99, rps, e, n, rc, ru, gc }'
}

TARGETS=(${TARGETS:-upstream local redis lb-local lb-redis}) # TARGETS="local redis" measures only those
RAW=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    echo "$r $t $(run "$t" "$r")" | tee -a "$RAW" >&2
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
# What the Redis replicas sent, per command, over every measured request of the redis and lb-redis runs (warm-ups
# included, so slightly more than per request), and one loopback round trip (PING from one client, p50).
SERVED=$(awk '$2 == "redis" || $2 == "lb-redis" { n += $7 } END { print n + 0 }' "$RAW")
CMDSTATS=$(redis_info commandstats | awk -F'[:,=]' -v n="$SERVED" '/^cmdstat_/ && $3 > 0 { sub(/^cmdstat_/, "", $1); if ($1 != "info" && $1 != "dbsize") printf "%s %.2f, ", $1, $3 / n }' | sed 's/, $//')
RTT=$(redis-benchmark -p "$REDIS_PORT" -c 1 -n 5000 -t ping -q 2>&1 | tr '\r' '\n' | awk '/PING_MBULK/ { for (i = 1; i <= NF; i++) if ($i ~ /^p50=/) { sub(/^p50=/, "", $i); print $i } }')
# Cross-replica check: the analytics of one replica count the requests of all three (once the shared figures are in).
ANALYTICS=$(curl -s "http://127.0.0.1:${R1}/v1/analytics" | head -c 100000)
KEYS=$(redis-cli -p "$REDIS_PORT" dbsize | tr -d '\r')

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
med() { awk -v t="$1" -v f="$2" '$2 == t { print $f }' "$RAW" | median; }
errsum() { awk -v t="$1" '$2 == t { e += $6 } END { print e + 0 }' "$RAW"; }
diff3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
{
  echo "Median of $ROUNDS interleaved rounds, ${DURATION} s per run after a 1 s warm-up, closed loop, wrk -t${THREADS} -c${CONC}; latency in ms."
  echo "Every request has a unique body (cache miss), model \`fallback\` (two providers on the mock), an app budget (unit: $BUDGET_UNIT) and analytics on."
  echo
  echo "| target | p50 | p99 | req/s | errors | Redis commands / request | Redis CPU µs / request | gateway CPU µs / request |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for t in "${TARGETS[@]}"; do
    rc=$(awk -v t="$t" '$2 == t { print $8 }' "$RAW" | grep -v '^-$' | median || true)
    ru=$(awk -v t="$t" '$2 == t { print $9 }' "$RAW" | grep -v '^-$' | median || true)
    gc=$(awk -v t="$t" '$2 == t { print $10 }' "$RAW" | grep -v '^-$' | median || true)
    echo "| $t | $(med "$t" 3) | $(med "$t" 4) | $(med "$t" 5) | $(errsum "$t") | ${rc:--} | ${ru:--} | ${gc:--} |"
  done
  echo
  echo "| difference (same percentile) | p50 | p99 | req/s ratio |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| shared-state cost: redis − local (one replica, direct) | $(diff3 "$(med redis 3)" "$(med local 3)") | $(diff3 "$(med redis 4)" "$(med local 4)") | $(awk -v a="$(med redis 5)" -v b="$(med local 5)" 'BEGIN { printf "%.2f", a / b }') |"
  echo "| LB hop: lb-local − local | $(diff3 "$(med lb-local 3)" "$(med local 3)") | $(diff3 "$(med lb-local 4)" "$(med local 4)") | $(awk -v a="$(med lb-local 5)" -v b="$(med local 5)" 'BEGIN { printf "%.2f", a / b }') |"
  echo "| scale-out: lb-redis (3 replicas + Redis) − lb-local (1 replica) | $(diff3 "$(med lb-redis 3)" "$(med lb-local 3)") | $(diff3 "$(med lb-redis 4)" "$(med lb-local 4)") | $(awk -v a="$(med lb-redis 5)" -v b="$(med lb-local 5)" 'BEGIN { printf "%.2f", a / b }') |"
  echo
  echo "Redis commands per request, by command (scripts count their inner commands too): ${CMDSTATS}. One loopback Redis round trip (PING, one client, p50): ${RTT} ms."
  echo
  echo "Redis keys at the end: ${KEYS}. Requests today in replica 1's \`/v1/analytics\` (all providers): $(echo "$ANALYTICS" | grep -o '"providers":\[[^]]*\]' | grep -o '"day":{"requests":[0-9]*' | awk -F: '{ s += $3 } END { print s + 0 }')."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), .NET SDK $(dotnet --version), $(redis-server --version | awk '{ print $1, $2, $3 }'), wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'); load average $LOAD_START at the start, $LOAD_END at the end; $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD)."
} > "$OUT"
cat "$OUT"
