#!/usr/bin/env bash
# Measures direct-to-emulator vs through-the-gateway latency (p50, p99) and requests per second at concurrency
# 1, 16 and 64, for JSON and SSE, plus the gateway's memory (RSS), in one run on this machine.
# Load tool: wrk (Debian package; installed here if missing). Usage: eng/bench/gateway/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-10}"
EMU_PORT="${EMU_PORT:-18089}"
GW_PORT="${GW_PORT:-18080}"
OUT="${OUT:-eng/bench/gateway/results.md}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

dotnet build -c Release src/CompatAI.Emulator/CompatAI.Emulator.csproj -v q -nologo >/dev/null
dotnet build -c Release src/CompatAI.Gateway/CompatAI.Gateway.csproj -v q -nologo >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

dotnet src/CompatAI.Emulator/bin/Release/net10.0/CompatAI.Emulator.dll --port "$EMU_PORT" >/tmp/bench-emulator.log 2>&1 &
pids+=($!)

# The gateway serves the emulator's openai personality through a CompatChatClient built from configuration.
CompatAI__Providers__openai__Endpoint="http://127.0.0.1:${EMU_PORT}/openai/v1/" \
CompatAI__Providers__openai__ApiKey="bench-key" \
CompatAI__Providers__openai__Model="gpt-4o-mini" \
CompatAI__Providers__openai__ListUpstreamModels="false" \
Logging__LogLevel__Default="Warning" \
DOTNET_gcServer=0 \
  dotnet src/CompatAI.Gateway/bin/Release/net10.0/CompatAI.Gateway.dll --urls "http://127.0.0.1:${GW_PORT}" >/tmp/bench-gateway.log 2>&1 &
GW_PID=$!
pids+=($GW_PID)

for url in "http://127.0.0.1:${EMU_PORT}/openai/v1/models" "http://127.0.0.1:${GW_PORT}/healthz"; do
  for _ in $(seq 1 100); do curl -fs -H "Authorization: Bearer bench-key" "$url" >/dev/null && break; sleep 0.2; done
done

rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$GW_PID/status"; }
IDLE_RSS=$(rss_mb)
PEAK_FILE=$(mktemp)
echo 0 > "$PEAK_FILE"
( while kill -0 "$GW_PID" 2>/dev/null; do
    r=$(awk '/VmRSS/ { print $2 }' "/proc/$GW_PID/status" 2>/dev/null || echo 0)
    p=$(cat "$PEAK_FILE"); [ "${r:-0}" -gt "$p" ] && echo "$r" > "$PEAK_FILE"
    sleep 0.25
  done ) &
pids+=($!)

# wrk prints latencies as 812.00us, 1.23ms or 1.02s: convert to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }

run() { # target mode concurrency url body -> "p50 p99 rps errors [overhead-p50 overhead-p99]"
  local conns=$3 threads=$(( $3 < 2 ? 1 : 2 ))
  local script=eng/bench/gateway/post.lua
  [ "$1" = direct ] || script=eng/bench/gateway/overhead.lua
  BODY="$5" KEY="bench-key" wrk -t"$threads" -c"$conns" -d2s -s eng/bench/gateway/post.lua "$4" >/dev/null  # warm-up
  local out; out=$(BODY="$5" KEY="bench-key" wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s "$script" "$4")
  local p50 p99 rps errs ovh
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  # "0", or the non-2xx count and/or socket errors as connect/read/write/timeout.
  errs=$(echo "$out" | awk '/Non-2xx/ { e = e "non2xx:" $5 " " } /Socket errors/ { gsub(",", ""); e = e "socket:" $4 "/" $6 "/" $8 "/" $10 } END { print (e == "" ? "0" : e) }')
  ovh=$(echo "$out" | awk '$1 == "OVERHEAD" { print $2 " " $3 }')
  echo "$p50 $p99 $rps ${errs// /,} ${ovh}"
}

JSON_DIRECT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'
JSON_GW='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'
SSE_DIRECT='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
SSE_GW='{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
DIRECT_URL="http://127.0.0.1:${EMU_PORT}/openai/v1/chat/completions"
GW_URL="http://127.0.0.1:${GW_PORT}/v1/chat/completions"

{
  echo "| mode | concurrency | direct p50 ms | direct p99 ms | direct req/s | gateway p50 ms | gateway p99 ms | gateway req/s | added p50 ms | added p99 ms | gateway's own p50 / p99 ms | errors (direct / gateway) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
} > "$OUT.tmp"
for mode in json sse; do
  for c in 1 16 64; do
    if [ "$mode" = json ]; then bd="$JSON_DIRECT"; bg="$JSON_GW"; else bd="$SSE_DIRECT"; bg="$SSE_GW"; fi
    read -r dp50 dp99 drps derr <<<"$(run direct "$mode" "$c" "$DIRECT_URL" "$bd")"
    read -r gp50 gp99 grps gerr gop50 gop99 <<<"$(run gateway "$mode" "$c" "$GW_URL" "$bg")"
    ap50=$(awk -v a="$gp50" -v b="$dp50" 'BEGIN { printf "%.3f", a - b }')
    ap99=$(awk -v a="$gp99" -v b="$dp99" 'BEGIN { printf "%.3f", a - b }')
    echo "| $mode | $c | $dp50 | $dp99 | $drps | $gp50 | $gp99 | $grps | $ap50 | $ap99 | ${gop50} / ${gop99} | ${derr} / ${gerr} |" | tee -a "$OUT.tmp"
  done
done
{
  echo
  echo "Gateway alone (built-in echo provider, no upstream call): its own HTTP, validation, routing and JSON/SSE cost."
  echo
  echo "| mode | concurrency | p50 ms | p99 ms | req/s | gateway's own p50 / p99 ms | errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
} >> "$OUT.tmp"
for mode in json sse; do
  for c in 1 16 64; do
    if [ "$mode" = json ]; then be='{"model":"echo/echo-1","messages":[{"role":"user","content":"Hello, benchmark"}]}'; else be='{"model":"echo/echo-1","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'; fi
    read -r ep50 ep99 erps eerr eop50 eop99 <<<"$(run echo "$mode" "$c" "$GW_URL" "$be")"
    echo "| $mode | $c | $ep50 | $ep99 | $erps | ${eop50} / ${eop99} | ${eerr} |" | tee -a "$OUT.tmp"
  done
done
PEAK_RSS=$(awk '{ printf "%.1f", $1 / 1024 }' "$PEAK_FILE")
AFTER_RSS=$(rss_mb)
{
  echo
  echo "Gateway memory (RSS): ${IDLE_RSS} MB idle after start, ${PEAK_RSS} MB peak under load, ${AFTER_RSS} MB after the runs."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(free -m | awk '/Mem:/ { print $2 }') MB RAM, $(dotnet --version) SDK, wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'); ${DURATION} s per run after a 2 s warm-up; $(date -u +%Y-%m-%dT%H:%MZ)."
} >> "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
