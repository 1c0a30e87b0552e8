#!/usr/bin/env bash
# The management layer's cost (issue 10): the same published gateway started twice in front of the same loopback mock
# upstream, once with the management API and its measurements on (the default) and once with
# CompatAI:Gateway:Management:Enabled=false; JSON and SSE chat at concurrency 1 and 16. An A/B of ab.sh (interleaved
# rounds, medians, gateway CPU time per request from /proc/<pid>/stat; COUNTERS=<dotnet-counters> adds allocated bytes
# per request), which first checks that /v1/performance answers 200 on one and 404 on the other.
# Usage: eng/bench/gateway/management.sh [seconds-per-run=4] [rounds=3]   Needs the gateway published to $PUB (run.sh
# publishes it; SKIP_PUBLISH=1 reuses it). MODES="json" CONCURRENCY="1" narrow the points; OUT=file also writes the table.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PUB="${PUB:-artifacts/bench/gateway}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish -c Release -r linux-x64 --self-contained false src/CompatAI.Gateway/CompatAI.Gateway.csproj -o "$PUB" -v q -nologo >/dev/null
DURATION="${1:-4}" ROUNDS="${2:-3}" CONCURRENCY="${CONCURRENCY:-1 16}" \
  EXPECT="on:/v1/performance=200 off:/v1/performance=404" \
  exec eng/bench/gateway/ab.sh off="$PUB:CompatAI__Gateway__Management__Enabled=false" on="$PUB:CompatAI__Gateway__Management__Enabled=true"
