#!/usr/bin/env bash
# Issue 13's side-by-side benchmark, in one run on this machine: the same loopback mock upstream (mock-upstream.mjs)
# called directly, through Portkey's open-source gateway (npm @portkey-ai/gateway, installed and started here) and
# through the published CompatAI gateway; JSON and SSE at concurrency 1, 16 and 64, ROUNDS interleaved rounds (every
# point runs direct, Portkey and CompatAI back to back), medians over rounds. Then cold start (process start to the
# first correct chat answer, and the first request after /healthz is ready) for both gateways, and their peak RSS.
# Load tool: wrk (Debian package; installed here if missing).
# Usage: eng/bench/gateway/run.sh [seconds-per-run=5] [rounds=3]      Output: eng/bench/gateway/results.md (OUT=...)
# AOT=1 also publishes the gateway with Native AOT (into PUB_AOT; needs clang and zlib1g-dev) and measures it as a third
# gateway in the same interleaved rounds and cold starts ("CompatAI AOT"). PORTKEY=0 leaves Portkey out.
# SKIP_PUBLISH=1 reuses earlier publishes; COLD_ONLY=1 measures only the cold starts (COLD_RUNS per gateway, interleaved).
# YARP=1 (the default) also measures a minimal reverse proxy (eng/bench/scaleout/ScaleoutProxy, YARP, no parsing) in
# front of the same mock in the same rounds: the floor of what any second hop adds on this machine. YARP=0 leaves it out.
# Portkey runs with portkey-fetch-shim.mjs preloaded (its streamed answers fail on Node 20 without it; PK_SHIM=0: not).
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-5}"; ROUNDS="${2:-3}"
UP_PORT="${UP_PORT:-18091}"; GW_PORT="${GW_PORT:-18080}"; PK_PORT="${PK_PORT:-18787}"
OUT="${OUT:-eng/bench/gateway/results.md}"
PROXY="${PROXY:-artifacts/bench/scaleout-proxy}"; YARP_PORT="${YARP_PORT:-18085}"
PUB="${PUB:-artifacts/bench/gateway}"; PUB_AOT="${PUB_AOT:-artifacts/bench/gateway-aot}"; PK_DIR="${PK_DIR:-artifacts/bench/portkey}"; PK_VERSION="${PK_VERSION:-1.15.2}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# The published gateway as documented for production: framework-dependent, ReadyToRun for this machine's RID.
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null
GATEWAYS=()  # the gateways measured, in the table's order
[ "${PORTKEY:-1}" = 1 ] && GATEWAYS+=(portkey)
GATEWAYS+=(compatai)
if [ "${AOT:-0}" = 1 ]; then
  # Native AOT: one self-contained executable, no JIT. The compiler needs clang (and zlib1g-dev) on the machine.
  command -v clang >/dev/null || { apt-get update -qq && apt-get install -y -qq clang zlib1g-dev >/dev/null; }
  [ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 -p:PublishAot=true src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB_AOT" -v q -nologo >/dev/null
  GATEWAYS+=(compatai_aot)
fi
COMPATS=(); for g in "${GATEWAYS[@]}"; do [ "$g" = portkey ] || COMPATS+=("$g"); done
FLOORS=()  # proxies measured for scale only (no cold start): what a second hop alone costs here
if [ "${YARP:-1}" = 1 ]; then
  [ "${SKIP_PUBLISH:-0}" = 1 ] && [ -x "$PROXY/ScaleoutProxy" ] || \
    dotnet publish -c Release eng/bench/scaleout/ScaleoutProxy/ScaleoutProxy.csproj -o "$PROXY" -v q -nologo >/dev/null
  FLOORS+=(yarp)
fi
label() { case $1 in direct) echo direct;; portkey) echo Portkey;; compatai) echo CompatAI;; compatai_aot) echo "CompatAI AOT";; yarp) echo YARP;; esac; }
[ "${PORTKEY:-1}" = 1 ] && { [ -f "$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ] || \
  npm install --no-save --no-audit --no-fund --prefix "$PK_DIR" "@portkey-ai/gateway@${PK_VERSION}" >/dev/null 2>&1; }
PK_JS="$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
source eng/bench/mock-gateway-env.sh; mock_gateway_env
start_compatai() { start_gateway "$PUB/CompatAI.Gateway" "$1" compatai; }
start_compatai_aot() { start_gateway "$PUB_AOT/CompatAI.Gateway" "$1" compatai-aot; }
start_gateway() { # executable port log-name -> pid; the gateway serves the mock through a CompatChatClient built from configuration
  env "${MOCK_ENV[@]}" "$1" --urls "http://127.0.0.1:$2" >"/tmp/bench-$3.log" 2>&1 &
  echo $!
}
PK_NODE=(node); [ "${PK_SHIM:-1}" = 1 ] && PK_NODE+=(--import "$PWD/eng/bench/gateway/portkey-fetch-shim.mjs")
start_portkey() { "${PK_NODE[@]}" "$PK_JS" --port="$1" --headless >/tmp/bench-portkey.log 2>&1 & echo $!; }
start_yarp() { "$PROXY/ScaleoutProxy" --urls "http://127.0.0.1:$1" --Backends "http://127.0.0.1:${UP_PORT}" >/tmp/bench-yarp.log 2>&1 & echo $!; }

JSON_BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'
SSE_BODY='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
PK_HEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:${UP_PORT}/v1"
url() { case $1 in direct) echo "http://127.0.0.1:${UP_PORT}/v1/chat/completions";; *) echo "http://127.0.0.1:$2/v1/chat/completions";; esac; }
body() { # target mode
  local b; if [ "$2" = json ]; then b=$JSON_BODY; else b=$SSE_BODY; fi
  case $1 in compatai*) b=${b/\"gpt-4o-mini\"/\"openai\/gpt-4o-mini\"};; esac
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
for i in $(seq 1 "$COLD_RUNS"); do  # interleaved: every round starts each gateway once, back to back
  for t in "${GATEWAYS[@]}"; do COLD[$t]+="$(cold "$t" $((GW_PORT + 10)))"$'\n'; done
done
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
if [ "${COLD_ONLY:-0}" = 1 ]; then
  for t in "${GATEWAYS[@]}"; do echo "$t cold (first answer ms, first after ready ms, CPU ms to first answer):" ${COLD[$t]}; done
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0
fi

declare -A PORT PID
PORT[portkey]=$PK_PORT; PORT[compatai]=$GW_PORT; PORT[compatai_aot]=$((GW_PORT + 1)); PORT[yarp]=$YARP_PORT
for g in "${FLOORS[@]}" "${GATEWAYS[@]}"; do
  PID[$g]=$(start_"$g" "${PORT[$g]}"); pids+=("${PID[$g]}")
  ready=/healthz; [ "$g" = portkey ] && ready=/; [ "$g" = yarp ] && ready=/v1/models
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:${PORT[$g]}$ready" && break; sleep 0.05; done
done

# wrk prints latencies as 812.00us, 1.23ms or 1.02s: convert to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }
run() { # target mode concurrency -> "p50 p99 rps errors"
  local t=$1 c=$3 threads=$(( $3 < 2 ? 1 : 2 )) port=${PORT[$1]:-} h=""
  [ "$t" = portkey ] && h=$PK_HEADERS
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
      for t in direct "${FLOORS[@]}" "${GATEWAYS[@]}"; do
        echo "$r $mode $c $t $(run "$t" "$mode" "$c")" | tee -a "$RAW" >&2
      done
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
hwm() { awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
declare -A HWM; for g in "${GATEWAYS[@]}"; do HWM[$g]=$(hwm "${PID[$g]}"); done

med() { awk -v m="$1" -v c="$2" -v t="$3" -v f="$4" '$2 == m && $3 == c && $4 == t { print $f }' "$RAW" | median; }
errsum() { awk -v m="$1" -v c="$2" -v t="$3" '$2 == m && $3 == c && $4 == t { e += $8 } END { print e + 0 }' "$RAW"; }
{
  echo "Median of $ROUNDS interleaved rounds, ${DURATION} s per run after a 1 s warm-up; latency in ms (wrk: the whole exchange, for SSE up to [DONE])."
  echo
  head="| mode | c | direct p50 / p99 | direct req/s |"; rule="| --- | ---: | ---: | ---: |"
  for g in "${FLOORS[@]}" "${GATEWAYS[@]}"; do head+=" $(label "$g") p50 / p99 | $(label "$g") req/s |"; rule+=" ---: | ---: |"; done
  for g in "${FLOORS[@]}"; do head+=" $(label "$g") added p50 / p99 |"; rule+=" ---: |"; done
  for g in "${COMPATS[@]}"; do
    head+=" $(label "$g") added p50 / p99 |"; rule+=" ---: |"
    [ "${PORTKEY:-1}" = 1 ] && { head+=" $(label "$g") ÷ Portkey req/s |"; rule+=" ---: |"; }
  done
  head+=" errors (direct"; for g in "${FLOORS[@]}" "${GATEWAYS[@]}"; do head+=" / $(label "$g")"; done; head+=") |"; rule+=" --- |"
  echo "$head"; echo "$rule"
  for mode in json sse; do
    for c in 1 16 64; do
      d50=$(med $mode $c direct 5); d99=$(med $mode $c direct 6)
      row="| $mode | $c | $d50 / $d99 | $(med $mode $c direct 7) |"
      for g in "${FLOORS[@]}" "${GATEWAYS[@]}"; do row+=" $(med $mode $c "$g" 5) / $(med $mode $c "$g" 6) | $(med $mode $c "$g" 7) |"; done
      for g in "${FLOORS[@]}"; do
        row+=" $(awk -v a="$(med $mode $c "$g" 5)" -v b="$d50" 'BEGIN { printf "%+.3f", a - b }') / $(awk -v a="$(med $mode $c "$g" 6)" -v b="$d99" 'BEGIN { printf "%+.3f", a - b }') |"
      done
      prps=$(med $mode $c portkey 7); perr=$(errsum $mode $c portkey)
      for g in "${COMPATS[@]}"; do
        g50=$(med $mode $c "$g" 5); g99=$(med $mode $c "$g" 6); grps=$(med $mode $c "$g" 7)
        row+=" $(awk -v a="$g50" -v b="$d50" 'BEGIN { printf "%+.3f", a - b }') / $(awk -v a="$g99" -v b="$d99" 'BEGIN { printf "%+.3f", a - b }') |"
        [ "${PORTKEY:-1}" = 1 ] && row+=" $(awk -v g="$grps" -v p="$prps" -v e="$perr" 'BEGIN { if (p + 0 == 0 || e > 0) print "n/a"; else printf "%.1f×", g / p }') |"
      done
      row+=" $(errsum $mode $c direct)"; for g in "${FLOORS[@]}" "${GATEWAYS[@]}"; do row+=" / $(errsum $mode $c "$g")"; done; row+=" |"
      echo "$row"
    done
  done
  echo
  [ "${PORTKEY:-1}" = 1 ] && { echo "\"n/a\" ratio: Portkey answered errors (non-2xx or socket errors) at that point, so its req/s is not comparable."; echo; }
  head="| cold start (median of $COLD_RUNS fresh processes, interleaved) |"; rule="| --- |"
  for g in "${GATEWAYS[@]}"; do
    case $g in compatai) head+=" CompatAI (published, ReadyToRun) |";; compatai_aot) head+=" CompatAI (Native AOT) |";; *) head+=" $(label "$g") |";; esac
    rule+=" ---: |"
  done
  echo "$head"; echo "$rule"
  for f in "1 process start to first correct chat answer, ms" "2 first chat request after readiness, ms" "3 CPU time (user + system) to the first correct answer, ms"; do
    row="| ${f#* } |"; for g in "${GATEWAYS[@]}"; do row+=" $(echo "${COLD[$g]}" | awk -v f="${f%% *}" 'NF { print $f }' | median) |"; done
    echo "$row"
  done
  echo
  hw="Peak RSS (VmHWM) over the whole run:"; sep=""
  for g in "${GATEWAYS[@]}"; do hw+="$sep $(label "$g") ${HWM[$g]} MB"; sep=","; done
  echo "$hw."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(free -m | awk '/Mem:/ { print $2 }') MB RAM, .NET SDK $(dotnet --version), Node $(node --version), Portkey ${PK_VERSION}, wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'); load average $LOAD_START at the start, $LOAD_END at the end; $(date -u +%Y-%m-%dT%H:%MZ)."
} > "$OUT"
cat "$OUT"
