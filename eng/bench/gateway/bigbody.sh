#!/usr/bin/env bash
# Issue 8's memory goal: 20 concurrent 15 MB chat requests through the published (Release) gateway to a loopback mock
# upstream. Samples the gateway's RSS from /proc/<pid>/status while they run, reports the peak (VmHWM) and the RSS once
# the gateway has settled afterwards. Goal: peak under 300 MB, back under 150 MB.
# Usage: eng/bench/gateway/bigbody.sh [concurrency=20] [megabytes=15] [settle-seconds=10] [late-seconds=75]
# "late" shows whether an idle gateway gives anything back without further traffic (the shared array pool keeps what it holds).
# Extra gateway environment (GC settings to compare) can be passed through as usual, e.g. DOTNET_GCgen0size=...
set -euo pipefail
cd "$(dirname "$0")/../../.."
N="${1:-20}"; MB="${2:-15}"; SETTLE="${3:-10}"; LATE="${4:-75}"
UP_PORT="${UP_PORT:-18091}"; GW_PORT="${GW_PORT:-18082}"
PUB="${PUB:-artifacts/bench/gateway}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

node eng/bench/gateway/mock-upstream.mjs "$UP_PORT" & pids+=($!)
source eng/bench/mock-gateway-env.sh; mock_gateway_env
env "${MOCK_ENV[@]}" "$PUB/CompatAI.Gateway" --urls "http://127.0.0.1:${GW_PORT}" >"$work/gateway.log" 2>&1 &
GW=$!; pids+=($GW)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${GW_PORT}/healthz" >/dev/null && break; sleep 0.1; done

# One body of about MB megabytes: a single large user message.
python3 - "$MB" > "$work/body.json" <<'PY'
import sys
n = int(float(sys.argv[1]) * 1000 * 1000) - 100
sys.stdout.write('{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"' + ('lorem ipsum ' * (n // 12 + 1))[:n] + '"}]}')
PY

kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$GW/status"; }
IDLE=$(kb VmRSS)
# A warm-up request so that JIT and pools count as idle, not as the cost of the big bodies.
curl -fs -o /dev/null -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' \
  -d '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' "http://127.0.0.1:${GW_PORT}/v1/chat/completions"
WARM=$(kb VmRSS)

start=$(date +%s.%N)
for i in $(seq 1 "$N"); do
  curl -s -o "$work/out.$i" -w '%{http_code}\n' -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' \
    --data-binary "@$work/body.json" "http://127.0.0.1:${GW_PORT}/v1/chat/completions" > "$work/code.$i" &
  cpids+=($!)
done
wait "${cpids[@]}"
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
PEAK=$(kb VmHWM)
ok=$(cat "$work"/code.* | grep -c '^200$' || true)
sleep "$SETTLE"
AFTER=$(kb VmRSS)
sleep $(( LATE > SETTLE ? LATE - SETTLE : 0 ))
LATER=$(kb VmRSS); LATER_ANON=$(kb RssAnon); LATER_FILE=$(kb RssFile)
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "requests: $N x $(( $(stat -c %s "$work/body.json") / 1000 )) kB, $ok answered 200, ${elapsed} s"
echo "gateway RSS: idle $(mb "$IDLE") MB, warm $(mb "$WARM") MB, peak (VmHWM) $(mb "$PEAK") MB, after ${SETTLE} s $(mb "$AFTER") MB, after ${LATE} s $(mb "$LATER") MB (anonymous $(mb "$LATER_ANON") MB, mapped files $(mb "$LATER_FILE") MB)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
# Diagnostics on the settled gateway, e.g. AFTER_CMD='dotnet-gcdump report -p $GW_PID'.
[ -z "${AFTER_CMD:-}" ] || GW_PID=$GW bash -c "$AFTER_CMD"
[ "$ok" = "$N" ] || { echo "not every request was answered 200:"; sort "$work"/code.* | uniq -c; head -c 400 "$work/out.1"; echo; }
