#!/usr/bin/env bash
# Issue 13's side-by-side benchmark, in one run on this machine: the same loopback mock upstream (mock-upstream.mjs)
# called directly, through Portkey's open-source gateway (npm @portkey-ai/gateway, installed and started here) and
# through the published CompatAI gateway; JSON and SSE at concurrency 1, 16 and 64, ROUNDS interleaved rounds (every
# point runs direct, Portkey and CompatAI back to back), medians over rounds. Then cold start (process start to the
# first correct chat answer, and the first request after /healthz is ready) for both gateways, and their peak RSS.
# Load tool: wrk (Debian package; installed here if missing).
# Usage: eng/bench/gateway/run.sh [seconds-per-run=5] [rounds=3]      Output: eng/bench/gateway/results.md (OUT=...)
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-5}"; ROUNDS="${2:-3}"
UP_PORT="${UP_PORT:-18091}"; GW_PORT="${GW_PORT:-18080}"; PK_PORT="${PK_PORT:-18787}"
OUT="${OUT:-eng/bench/gateway/results.md}"
PUB="${PUB:-artifacts/bench/gateway}"; PK_DIR="${PK_DIR:-artifacts/bench/portkey}"; PK_VERSION="${PK_VERSION:-1.15.2}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# The published gateway as documented for production: framework-dependent, ReadyToRun for this machine's RID.
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null
[ -f "$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ] || \
  npm install --no-save --no-audit --no-fund --prefix "$PK_DIR" "@portkey-ai/gateway@${PK_VERSION}" >/dev/null 2>&1
PK_JS="$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
start_compatai() { # port -> pid; the gateway serves the mock through a CompatChatClient built from configuration
  CompatAI__Providers__openai__Endpoint="http://127.0.0.1:${UP_PORT}/v1/" \
  CompatAI__Providers__openai__ApiKey="bench-key" \
  CompatAI__Providers__openai__Model="gpt-4o-mini" \
  CompatAI__Providers__openai__ListUpstreamModels="false" \
  Logging__LogLevel__Default="Warning" \
    "$PUB/CompatAI.Gateway" --urls "http://127.0.0.1:$1" >/tmp/bench-compatai.log 2>&1 &
  echo $!
}
start_portkey() { node "$PK_JS" --port="$1" --headless >/tmp/bench-portkey.log 2>&1 & echo $!; }

JSON_BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'
SSE_BODY='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
PK_HEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:${UP_PORT}/v1"
url() { case $1 in direct) echo "http://127.0.0.1:${UP_PORT}/v1/chat/completions";; portkey) echo "http://127.0.0.1:$2/v1/chat/completions";; compatai) echo "http://127.0.0.1:$2/v1/chat/completions";; esac; }
body() { # target mode
  local b; if [ "$2" = json ]; then b=$JSON_BODY; else b=$SSE_BODY; fi
  [ "$1" = compatai ] && b=${b/\"gpt-4o-mini\"/\"openai\/gpt-4o-mini\"}
  echo "$b"
}
now_ms() { date +%s%3N; }
# A chat answer is correct when it carries the mock's text (JSON) or its chunks and [DONE] (SSE).
answer_ok() { grep -q 'Hello from the mock.' "$1" 2>/dev/null || { grep -q '"from the mock."\| from the mock.' "$1" 2>/dev/null && grep -q '\[DONE\]' "$1"; }; }
post() { # target port mode outfile -> writes the body, prints the HTTP code
  local extra=(); [ "$1" = portkey ] && extra=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:${UP_PORT}/v1")
  curl -s -o "$4" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' "${extra[@]}" \
    --data "$(body "$1" "$3")" "$(url "$1" "$2")" || true
}

# Cold start: process start to the first correct chat answer (polling every ~5 ms), then, in a fresh process, the first
# chat request after the gateway's readiness check answers (/healthz for CompatAI, / for Portkey).
cold() { # target port -> "first-answer-ms first-after-ready-ms cpu-ms-to-first-answer"
  local t=$1 port=$2 out; out=$(mktemp)
  local s; s=$(now_ms); local pid; pid=$(start_"$t" "$port")
  until [ "$(post "$t" "$port" json "$out")" = 200 ] && answer_ok "$out"; do sleep 0.005; done
  local first=$(( $(now_ms) - s ))
  # CPU time (user + system) the process used until then: less sensitive than wall time to other load on the machine.
  local cpu; cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=$(start_"$t" "$port")
  local ready=/healthz; [ "$t" = portkey ] && ready=/
  until curl -fs -o /dev/null "http://127.0.0.1:${port}${ready}"; do sleep 0.005; done
  local extra=(); [ "$t" = portkey ] && extra=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:${UP_PORT}/v1")
  local r; r=$(curl -s -o "$out" -w '%{time_total}' -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' "${extra[@]}" \
    --data "$(body "$t" json)" "$(url "$t" "$port")")
  answer_ok "$out" || echo "cold start: $t answered wrongly after readiness: $(head -c 300 "$out")" >&2
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -f "$out"
  echo "$first $(awk -v v="$r" 'BEGIN { printf "%.0f", v * 1000 }') $cpu"
}
COLD_RUNS="${COLD_RUNS:-3}"
declare -A COLD
for t in compatai portkey; do
  for i in $(seq 1 "$COLD_RUNS"); do COLD[$t]+="$(cold "$t" $((GW_PORT + 10)))"$'\n'; done
done
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
if [ "${COLD_ONLY:-0}" = 1 ]; then
  for t in compatai portkey; do echo "$t cold (first answer ms, first after ready ms, CPU ms to first answer):" ${COLD[$t]}; done
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0
fi

GW=$(start_compatai "$GW_PORT"); pids+=($GW)
PK=$(start_portkey "$PK_PORT"); pids+=($PK)
for u in "http://127.0.0.1:${GW_PORT}/healthz" "http://127.0.0.1:${PK_PORT}/"; do
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$u" && break; sleep 0.05; done
done

# wrk prints latencies as 812.00us, 1.23ms or 1.02s: convert to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }
run() { # target mode concurrency -> "p50 p99 rps errors"
  local t=$1 c=$3 threads=$(( $3 < 2 ? 1 : 2 )) port=$GW_PORT h=""
  [ "$t" = portkey ] && { port=$PK_PORT; h=$PK_HEADERS; }
  local b; b=$(body "$t" "$2"); local u; u=$(url "$t" "$port")
  BODY="$b" HEADERS="$h" wrk -t"$threads" -c"$c" -d1s -s eng/bench/gateway/post.lua "$u" >/dev/null  # warm-up
  local out; out=$(BODY="$b" HEADERS="$h" wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s eng/bench/gateway/post.lua "$u")
  local p50 p99 rps errs
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  errs=$(echo "$out" | awk '/Non-2xx/ { e += $5 } /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }')
  echo "$p50 $p99 $rps $errs"
}

RAW=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  for mode in json sse; do
    for c in 1 16 64; do
      for t in direct portkey compatai; do
        echo "$r $mode $c $t $(run "$t" "$mode" "$c")" | tee -a "$RAW" >&2
      done
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
hwm() { awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
GW_HWM=$(hwm "$GW"); PK_HWM=$(hwm "$PK")

med() { awk -v m="$1" -v c="$2" -v t="$3" -v f="$4" '$2 == m && $3 == c && $4 == t { print $f }' "$RAW" | median; }
errsum() { awk -v m="$1" -v c="$2" -v t="$3" '$2 == m && $3 == c && $4 == t { e += $8 } END { print e + 0 }' "$RAW"; }
{
  echo "Median of $ROUNDS interleaved rounds, ${DURATION} s per run after a 1 s warm-up; latency in ms (wrk: the whole exchange, for SSE up to [DONE])."
  echo
  echo "| mode | c | direct p50 / p99 | direct req/s | Portkey p50 / p99 | Portkey req/s | CompatAI p50 / p99 | CompatAI req/s | CompatAI added p50 / p99 | CompatAI ÷ Portkey req/s | errors (direct / Portkey / CompatAI) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  for mode in json sse; do
    for c in 1 16 64; do
      d50=$(med $mode $c direct 5); d99=$(med $mode $c direct 6); drps=$(med $mode $c direct 7)
      p50=$(med $mode $c portkey 5); p99=$(med $mode $c portkey 6); prps=$(med $mode $c portkey 7)
      g50=$(med $mode $c compatai 5); g99=$(med $mode $c compatai 6); grps=$(med $mode $c compatai 7)
      perr=$(errsum $mode $c portkey)
      ratio=$(awk -v g="$grps" -v p="$prps" -v e="$perr" 'BEGIN { if (p + 0 == 0 || e > 0) print "n/a"; else printf "%.1f×", g / p }')
      echo "| $mode | $c | $d50 / $d99 | $drps | $p50 / $p99 | $prps | $g50 / $g99 | $grps | $(awk -v a="$g50" -v b="$d50" 'BEGIN { printf "%+.3f", a - b }') / $(awk -v a="$g99" -v b="$d99" 'BEGIN { printf "%+.3f", a - b }') | $ratio | $(errsum $mode $c direct) / $perr / $(errsum $mode $c compatai) |"
    done
  done
  echo
  echo "\"n/a\" ratio: Portkey answered errors (non-2xx or socket errors) at that point, so its req/s is not comparable."
  echo
  echo "| cold start (median of $COLD_RUNS fresh processes) | CompatAI (published) | Portkey |"
  echo "| --- | ---: | ---: |"
  echo "| process start to first correct chat answer, ms | $(echo "${COLD[compatai]}" | awk 'NF { print $1 }' | median) | $(echo "${COLD[portkey]}" | awk 'NF { print $1 }' | median) |"
  echo "| first chat request after readiness, ms | $(echo "${COLD[compatai]}" | awk 'NF { print $2 }' | median) | $(echo "${COLD[portkey]}" | awk 'NF { print $2 }' | median) |"
  echo "| CPU time (user + system) to the first correct answer, ms | $(echo "${COLD[compatai]}" | awk 'NF { print $3 }' | median) | $(echo "${COLD[portkey]}" | awk 'NF { print $3 }' | median) |"
  echo
  echo "Peak RSS (VmHWM) over the whole run: CompatAI ${GW_HWM} MB, Portkey ${PK_HWM} MB."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(free -m | awk '/Mem:/ { print $2 }') MB RAM, .NET SDK $(dotnet --version), Node $(node --version), Portkey ${PK_VERSION}, wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'); load average $LOAD_START at the start, $LOAD_END at the end; $(date -u +%Y-%m-%dT%H:%MZ)."
} > "$OUT"
cat "$OUT"
