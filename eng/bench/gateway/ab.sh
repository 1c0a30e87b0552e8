#!/usr/bin/env bash
# A/B of published gateways (two builds, or one build with different settings) in front of the same loopback mock
# upstream (mock-upstream.mjs, provider `openai` from mock-gateway-env.sh): chat JSON and SSE, ROUNDS interleaved rounds
# (every point runs every variant back to back, the order rotating per round), medians over rounds. Load tool: wrk.
#   eng/bench/gateway/ab.sh NAME=PUBDIR[:ENV=V,ENV=V,...] NAME=PUBDIR[:...] ...   (the first variant is the reference)
#     PUBDIR  a published gateway (dotnet publish src/CompatAI.Gateway -c Release -r linux-x64 --self-contained false -o PUBDIR)
#     ENV=V   extra environment for that variant (for example CompatAI__Gateway__Management__Enabled=false)
#   Example: eng/bench/gateway/ab.sh base=/tmp/pub-base branch=/tmp/pub-branch
# Per run it reads each gateway's CPU time (user + system, /proc/<pid>/stat) around the run and divides by the requests
# served: the figure least distorted by other load on a shared machine. With COUNTERS=<path to dotnet-counters> it also
# samples System.Runtime during the run and reports allocated bytes per request (allocation rate / request rate).
# Settings: DURATION (s per run, 4), ROUNDS (3), MODES ("json sse"), CONCURRENCY ("16"), WARMUP (s per point before
# each run, 1), START_WARMUP (s per variant and mode once at start, past tiered compilation, 30), BASE_PORT (18180),
# EXPECT ("name:/path=status ..." checked once after start), OUT (also write the table there).
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ $# -ge 2 ] || { sed -n '2,15p' "$0"; exit 2; }
DURATION="${DURATION:-4}"; ROUNDS="${ROUNDS:-3}"; WARMUP="${WARMUP:-1}"; START_WARMUP="${START_WARMUP:-30}"
BASE="${BASE_PORT:-18180}"; UP_PORT=$((BASE + 11))
LOGS="${TMPDIR:-/tmp}/gateway-ab-$BASE"; mkdir -p "$LOGS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
source eng/bench/mock-gateway-env.sh; mock_gateway_env
declare -A PORT PID
names=(); i=1
for v in "$@"; do
  name=${v%%=*}; rest=${v#*=}; pub=${rest%%:*}; extra=(); [[ "$rest" == *:* ]] && IFS=',' read -ra extra <<<"${rest#*:}"
  [ -x "$pub/CompatAI.Gateway" ] || { echo "ab.sh: $pub/CompatAI.Gateway not found (publish it first)" >&2; exit 1; }
  PORT[$name]=$((BASE + i)); i=$((i + 1)); names+=("$name")
  env "${MOCK_ENV[@]}" "${extra[@]}" "$pub/CompatAI.Gateway" --urls "http://127.0.0.1:${PORT[$name]}" >"$LOGS/$name.log" 2>&1 &
  PID[$name]=$!; pids+=($!)
done
for name in "${names[@]}"; do
  for _ in $(seq 1 400); do curl -sf "http://127.0.0.1:${PORT[$name]}/healthz" >/dev/null && break; sleep 0.05; done
done
for check in ${EXPECT:-}; do # name:/path=status
  name=${check%%:*}; path=${check#*:}; want=${path##*=}; path=${path%=*}
  got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}$path")
  [ "$got" = "$want" ] || { echo "ab.sh: $name answered $path with $got, expected $want" >&2; exit 1; }
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } else print v }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
body() { # mode
  if [ "$1" = sse ]; then echo '{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello, benchmark"}]}'
  else echo '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello, benchmark"}]}'; fi
}
load() { # name mode concurrency seconds [--latency]
  local threads=$(( $3 < 2 ? 1 : 2 ))
  BODY="$(body "$2")" wrk -t"$threads" -c"$3" -d"$4s" ${5:-} -s eng/bench/gateway/post.lua "http://127.0.0.1:${PORT[$1]}/v1/chat/completions"
}
run() { # name mode concurrency -> "p50 p99 rps errors cpu-us-per-request alloc-bytes-per-request"
  local name=$1 pid=${PID[$1]}
  load "$name" "$2" "$3" "$WARMUP" >/dev/null
  local counters=""
  if [ -n "${COUNTERS:-}" ]; then
    # Counters from before the run to after it: the sum of the per-second allocation rates is what the process allocated
    # during the run (an idle gateway allocates next to nothing: ~30 KB/s, the counter session's own), divided by the
    # requests wrk completed. The run starts once the first sample is written (the tool takes seconds to attach), and the
    # session lasts DURATION + 4 s from its start, so the run ends inside it.
    rm -f "$LOGS/counters.csv"
    "$COUNTERS" collect -p "$pid" --counters System.Runtime --refresh-interval 1 --format csv -o "$LOGS/counters.csv" \
      --duration "00:00:00:$(printf %02d $((DURATION + 4)))" >/dev/null 2>&1 & counters=$!
    for _ in $(seq 1 200); do grep -qs total_allocated "$LOGS/counters.csv" && break; sleep 0.05; done
  fi
  local before; before=$(cpu_ticks "$pid")
  local out; out=$(load "$name" "$2" "$3" "$DURATION" --latency)
  local ticks=$(( $(cpu_ticks "$pid") - before )) requests rps alloc=0
  [ -n "$counters" ] && { wait "$counters" || true; }
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  if [ -n "$counters" ] && [ -s "$LOGS/counters.csv" ]; then
    alloc=$(awk -F, -v n="$requests" '$3 ~ /total_allocated/ { s += $5 } END { printf "%.0f", (n > 0 ? s / n : 0) }' "$LOGS/counters.csv")
  fi
  echo "$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')") $(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')") $rps $(echo "$out" | awk '/Non-2xx/ { e += $5 } /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }') $(awk -v t="$ticks" -v u="$TICK_US" -v n="$requests" 'BEGIN { printf "%.0f", (n > 0 ? t * u / n : 0) }') $alloc"
}

# Past tiered compilation first: under load at c=16 the JIT keeps recompiling hot methods for about 30 s (measured with
# dotnet-counters: 0.5-1.5 s of JIT time per 2 s until then, next to none after), which would be measured as the gateway.
for name in "${names[@]}"; do
  for mode in ${MODES:-json sse}; do load "$name" "$mode" 16 "$START_WARMUP" >/dev/null; done
done
RAW="$LOGS/raw.txt"; : >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  for mode in ${MODES:-json sse}; do
    for c in ${CONCURRENCY:-16}; do
      n=${#names[@]}; order=()
      for k in $(seq 0 $((n - 1))); do order+=("${names[$(( (k + round - 1) % n ))]}"); done
      [ $((round % 2)) = 0 ] && order=($(printf '%s\n' "${order[@]}" | tac))
      for name in "${order[@]}"; do
        echo "$round $mode $c $name $(run "$name" "$mode" "$c")" >> "$RAW"
      done
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
med() { awk -v m="$1" -v c="$2" -v w="$3" -v f="$4" '$2 == m && $3 == c && $4 == w { print $f }' "$RAW" | median; }
joined() { local IFS=/; echo "$*" | sed 's|/| / |g'; }
ref=${names[0]}
{
  title=$(joined "${names[@]}")
  ratio_title="$(joined "${names[@]:1}") ÷ $ref"
  echo "| mode | concurrency | gateway CPU per request $title, µs | CPU $ratio_title | allocated per request $title, bytes | p50 $title, ms | p99 $title, ms | req/s $title | req/s $ratio_title | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for mode in ${MODES:-json sse}; do
    for c in ${CONCURRENCY:-16}; do
      cpu=(); alloc=(); p50=(); p99=(); rps=(); cpur=(); rpsr=()
      for name in "${names[@]}"; do
        cpu+=("$(med "$mode" "$c" "$name" 9)"); alloc+=("$(med "$mode" "$c" "$name" 10)"); p50+=("$(med "$mode" "$c" "$name" 5)")
        p99+=("$(med "$mode" "$c" "$name" 6)"); rps+=("$(med "$mode" "$c" "$name" 7)")
      done
      for k in $(seq 1 $((${#names[@]} - 1))); do
        cpur+=("$(awk -v a="${cpu[$k]}" -v b="${cpu[0]}" 'BEGIN { printf "%.2f", a / b }')")
        rpsr+=("$(awk -v a="${rps[$k]}" -v b="${rps[0]}" 'BEGIN { printf "%.3f", a / b }')")
      done
      errors=$(awk -v m="$mode" -v c="$c" '$2 == m && $3 == c { e += $8 } END { print e + 0 }' "$RAW")
      echo "| $mode | $c | $(joined "${cpu[@]}") | $(joined "${cpur[@]}") | $(joined "${alloc[@]}") | $(joined "${p50[@]}") | $(joined "${p99[@]}") | $(joined "${rps[@]}") | $(joined "${rpsr[@]}") | $errors |"
    done
  done
  echo
  echo "Median of $ROUNDS interleaved rounds, ${DURATION} s per run after a ${WARMUP} s warm-up (and ${START_WARMUP} s per variant and mode at start). Machine: $(nproc) cores, .NET SDK $(dotnet --version); load average $LOAD_START at the start, $LOAD_END at the end; $(date -u +%Y-%m-%dT%H:%MZ). Per-run rows: $RAW."
} | tee "${OUT:-/dev/null}"
