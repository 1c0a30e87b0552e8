#!/usr/bin/env bash
# The management layer's cost (issue 10): the same published gateway started twice in front of the same loopback mock
# upstream (mock-upstream.mjs), once with the management API and its measurements on (the default) and once with
# CompatAI:Gateway:Management:Enabled=false; JSON and SSE chat at concurrency 1 and 16, ROUNDS interleaved rounds (every
# point runs off and on back to back, the order alternating per round), medians over rounds. Load tool: wrk.
# MODES="json" CONCURRENCY="1" narrows the points.
# Usage: eng/bench/gateway/management.sh [seconds-per-run=4] [rounds=3]   Needs the gateway published to $PUB (run.sh
# publishes it; SKIP_PUBLISH=1 reuses it). Prints a Markdown table; OUT=file also writes it there. Besides wrk's
# latency and rate it reports each gateway's CPU time (user + system, from /proc/<pid>/stat) per request served, the
# figure least distorted by other load on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-4}"; ROUNDS="${2:-3}"
UP_PORT="${UP_PORT:-18191}"; OFF_PORT="${OFF_PORT:-18181}"; ON_PORT="${ON_PORT:-18182}"
PUB="${PUB:-artifacts/bench/gateway}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
source eng/bench/mock-gateway-env.sh; mock_gateway_env
start() { # port management-enabled
  env "${MOCK_ENV[@]}" CompatAI__Gateway__Management__Enabled="$2" \
    "$PUB/CompatAI.Gateway" --urls "http://127.0.0.1:$1" >"/tmp/bench-management-$2.log" 2>&1 &
  pids+=($!)
}
start "$OFF_PORT" false; OFF_PID=${pids[-1]}
start "$ON_PORT" true; ON_PID=${pids[-1]}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
for port in "$OFF_PORT" "$ON_PORT"; do
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
done
# The management API answers only on 'on' (the check that the two differ as intended).
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ON_PORT/v1/performance")" = 200 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OFF_PORT/v1/performance")" = 404 ]

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
run() { # port pid mode concurrency -> "p50 p99 rps errors cpu-us-per-request"
  local port=$1 pid=$2 mode=$3 c=$4
  local b='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'
  [ "$mode" = sse ] && b='{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
  local threads=$(( c < 2 ? 1 : 2 )) u="http://127.0.0.1:$port/v1/chat/completions"
  BODY="$b" wrk -t"$threads" -c"$c" -d1s -s eng/bench/gateway/post.lua "$u" >/dev/null
  local before; before=$(cpu_ticks "$pid")
  local out; out=$(BODY="$b" wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s eng/bench/gateway/post.lua "$u")
  local ticks=$(( $(cpu_ticks "$pid") - before )) requests; requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  echo "$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')") $(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')") $(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }') $(echo "$out" | awk '/Non-2xx/ { e += $5 } /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }') $(awk -v t="$ticks" -v u="$TICK_US" -v n="$requests" 'BEGIN { printf "%.0f", (n > 0 ? t * u / n : 0) }')"
}

RAW=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for mode in ${MODES:-json sse}; do
    for c in ${CONCURRENCY:-1 16}; do
      order="off on"; [ $((round % 2)) = 0 ] && order="on off"
      for which in $order; do
        port=$OFF_PORT; pid=$OFF_PID; [ "$which" = on ] && { port=$ON_PORT; pid=$ON_PID; }
        echo "$round $mode $c $which $(run "$port" "$pid" "$mode" "$c")" >> "$RAW"
      done
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
med() { awk -v m="$1" -v c="$2" -v w="$3" -v f="$4" '$2 == m && $3 == c && $4 == w { print $f }' "$RAW" | median; }
{
  echo "| mode | concurrency | gateway CPU per request off / on, µs | CPU on ÷ off | p50 off / on, ms | p99 off / on, ms | req/s off / on | req/s on ÷ off | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for mode in ${MODES:-json sse}; do
    for c in ${CONCURRENCY:-1 16}; do
      off=$(med "$mode" "$c" off 7); on=$(med "$mode" "$c" on 7)
      errors=$(awk -v m="$mode" -v c="$c" '$2 == m && $3 == c { e += $8 } END { print e + 0 }' "$RAW")
      cpuoff=$(med "$mode" "$c" off 9); cpuon=$(med "$mode" "$c" on 9)
      echo "| $mode | $c | $cpuoff / $cpuon | $(awk -v a="$cpuon" -v b="$cpuoff" 'BEGIN { printf "%.2f", a / b }') | $(med "$mode" "$c" off 5) / $(med "$mode" "$c" on 5) | $(med "$mode" "$c" off 6) / $(med "$mode" "$c" on 6) | $off / $on | $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }') | $errors |"
    done
  done
  echo
  echo "Median of $ROUNDS interleaved rounds, ${DURATION} s per run after a 1 s warm-up. Machine: $(nproc) cores, .NET SDK $(dotnet --version); load average $LOAD_START at the start, $LOAD_END at the end; $(date -u +%Y-%m-%dT%H:%MZ)."
} | tee "${OUT:-/dev/null}"
rm -f "$RAW"
