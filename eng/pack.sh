#!/usr/bin/env bash
# Packs every shipping package (Release) into a local folder feed and lists the packages with their sizes.
#
#   eng/pack.sh [feed-dir]        default: artifacts/packages
#
# CompatAI, CompatAI.Emulator and CompatAI.StackExchangeRedis are libraries; CompatAI.Cli (`compatai`) and CompatAI.Gateway (`compatai-gateway`)
# are .NET tools. Each .nupkg comes with a .snupkg (symbols). Package validation runs as part of each pack.
set -euo pipefail
cd "$(dirname "$0")/.."
feed="${1:-artifacts/packages}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
rm -f "$feed"/CompatAI*.nupkg "$feed"/CompatAI*.snupkg
for project in CompatAI CompatAI.Emulator CompatAI.StackExchangeRedis CompatAI.Cli CompatAI.Gateway; do
  echo "packing $project"
  dotnet pack "src/$project/$project.csproj" -c Release -o "$feed" -v quiet -nologo
done
echo "packages in $feed:"
for package in "$feed"/*.nupkg "$feed"/*.snupkg; do
  printf '  %-40s %8s KiB\n' "$(basename "$package")" "$(( ($(stat -c %s "$package") + 1023) / 1024 ))"
done
