#!/usr/bin/env bash
# A/B of gateway builds or settings, one replica each, interleaved round by round (wrk -c1 by default), for a machine
# whose load changes from minute to minute: every round measures every variant within seconds, and the summary uses only
# the rounds in which the replica named "local" answered under 1 ms at p50 (the quiet moments).
#   eng/bench/scaleout/ab.sh NAME=PUBDIR:REDIS[:ENV=V,ENV=V,...] ...
#     PUBDIR  a published gateway (dotnet publish -c Release -r linux-x64 --self-contained false ... -o PUBDIR)
#     REDIS   1: with CompatAI:Redis (one redis-server for all, a key prefix per variant), 0: without
#     ENV=V   extra environment; NOCACHE=1 turns the response cache off, NOBUDGET=1 the app budget
#   One variant must be called "local". Per run: p50/p99 (wrk), gateway CPU per request and context switches per request
#   (perf stat -e task-clock,context-switches on the replica), Redis commands per request (INFO).
#   Example: ab.sh local=/tmp/pub-main:0 main=/tmp/pub-main:1 branch=/tmp/pub-branch:1
#   DURATION (s, default 5), ROUNDS (3), CONC (1), BASE_PORT (18400). Needs perf (linux-perf), wrk, node, redis-server.
set -euo pipefail
cd "$(dirname "$0")/../../.."
LOGS="${TMPDIR:-/tmp}/scaleout-ab"; mkdir -p "$LOGS"
DURATION="${DURATION:-5}"; ROUNDS="${ROUNDS:-3}"; CONC="${CONC:-1}"; BASE="${BASE_PORT:-18400}"
UP_PORT=$((BASE + 1)); REDIS_PORT=$((BASE + 2))
pids=(); cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }; trap cleanup EXIT
node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no >$LOGS/redis.log 2>&1 & pids+=($!)
declare -A PORT PID
i=10
source eng/bench/mock-gateway-env.sh; mock_gateway_env fallback
for v in "$@"; do
  name=${v%%=*}; rest=${v#*=}; pub=${rest%%:*}; rest=${rest#*:}; red=${rest%%:*}; extra=""; [[ "$rest" == *:* ]] && extra=${rest#*:}
  port=$((BASE + i)); i=$((i+1)); PORT[$name]=$port
  envs=(); [ "$red" = 1 ] && envs=(CompatAI__Redis__Configuration="127.0.0.1:${REDIS_PORT}" CompatAI__Redis__KeyPrefix="ab$port:")
  if [ -n "$extra" ]; then IFS=',' read -ra ex <<<"$extra"; envs+=("${ex[@]}"); fi
  budget=(CompatAI__Gateway__Budgets__0__Name="bench" CompatAI__Gateway__Budgets__0__Limit="1000000" CompatAI__Gateway__Budgets__0__Unit="Requests")
  CACHE=true
  [[ "$extra" == *NOBUDGET* ]] && budget=(X=1)
  [[ "$extra" == *NOCACHE* ]] && CACHE=false
  env "${MOCK_ENV[@]}" "${envs[@]}" CompatAI__Gateway__ResponseCache__Enabled="${CACHE:-true}" \
    "${budget[@]}" "$pub/CompatAI.Gateway" --urls "http://127.0.0.1:$port" >"$LOGS/$name.log" 2>&1 &
  PID[$name]=$!; pids+=($!)
done
for name in "${!PORT[@]}"; do
  port=${PORT[$name]}
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:${port}/healthz" | grep -q '"status":"ok"' && break; sleep 0.1; done
  for k in 1 2 3; do curl -fs -o /dev/null -m 120 -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' \
      --data "{\"model\":\"fallback\",\"messages\":[{\"role\":\"user\",\"content\":\"warm-up $k\"}]}" "http://127.0.0.1:${port}/v1/chat/completions" || { echo "warm-up $name failed"; exit 1; }; done
done
cmds() { redis-cli -p "$REDIS_PORT" info stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print $2 }'; }
names=(); for v in "$@"; do names+=("${v%%=*}"); done
{
echo "load start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-3s %-10s %8s %8s %6s %9s %9s %7s\n" rd name p50ms p99ms n cpu_us/req cs/req cmd/req
for r in $(seq 1 "$ROUNDS"); do
  for name in "${names[@]}"; do
    u="http://127.0.0.1:${PORT[$name]}/v1/chat/completions"
    MODEL=fallback RUN="w-$name-$r" wrk -t1 -c"$CONC" -d1s -s eng/bench/scaleout/post-unique.lua "$u" >/dev/null
    c0=$(cmds)
    perf stat -e task-clock,context-switches -x, -o $LOGS/perf.txt -p "${PID[$name]}" -- sleep "$DURATION" &
    pp=$!
    out=$(MODEL=fallback RUN="r-$name-$r" wrk -t1 -c"$CONC" -d"${DURATION}s" --latency -s eng/bench/scaleout/post-unique.lua "$u")
    wait $pp
    c1=$(cmds)
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }'); p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    tc=$(awk -F, '$3 ~ /task-clock/ { print $1 }' $LOGS/perf.txt); cs=$(awk -F, '$3 ~ /context-switches/ { print $1 }' $LOGS/perf.txt)
    awk -v r="$r" -v name="$name" -v p50="$p50" -v p99="$p99" -v n="$n" -v tc="$tc" -v cs="$cs" -v dc=$((c1 - c0)) 'BEGIN {
      printf "%-3s %-10s %8s %8s %6d %9.0f %9.1f %7.2f\n", r, name, p50, p99, n, tc * 1000 / n, cs / n, dc / n }'
  done
done
echo "load end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$LOGS/rows.txt"
echo "Medians over the quiet rounds (local p50 < 1 ms):"
awk -f eng/bench/scaleout/ab-summary.awk "$LOGS/rows.txt" | sort
