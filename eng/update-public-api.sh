#!/usr/bin/env bash
# Adds every public API that is missing from PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt (RS0016) to
# PublicAPI.Unshipped.txt, and records removed API (RS0017) as *REMOVED* lines, in the libraries whose public API is
# tracked. Run it after adding public API (or after a merge that fails with RS0016/RS0017), then review the diff.
# It reads the symbols from the analyzer's own build diagnostics (dotnet format's code fix does not apply these here).
#
#   eng/update-public-api.sh            every tracked library
#   eng/update-public-api.sh CompatAI   one of them
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(CompatAI CompatAI.Emulator CompatAI.StackExchangeRedis)
for name in "${projects[@]}"; do
  project="src/$name/$name.csproj"
  [ -f "$project" ] || { echo "no such project: $project" >&2; exit 2; }
  echo "updating the public API files of $name"
  log=$(mktemp)
  dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false -clp:NoSummary > "$log" 2>&1 || true
  unshipped="src/$name/PublicAPI.Unshipped.txt"
  grep -o "RS0016: Symbol '[^']*'" "$log" | sed "s/^RS0016: Symbol '//; s/'$//" | sort -u >> "$unshipped" || true
  grep -o "RS0017: Symbol '[^']*'" "$log" | sed "s/^RS0017: Symbol '//; s/'$//" | sort -u | sed 's/^/*REMOVED*/' >> "$unshipped" || true
  rm -f "$log"
done
# Keep the files sorted (header line first) so merges diff cleanly.
for name in "${projects[@]}"; do
  for file in "src/$name/PublicAPI.Shipped.txt" "src/$name/PublicAPI.Unshipped.txt"; do
    [ -f "$file" ] || continue
    { grep -x '#nullable enable' "$file" || true; grep -vx '#nullable enable' "$file" | grep -v '^$' | LC_ALL=C sort -u || true; } > "$file.tmp"
    mv "$file.tmp" "$file"
  done
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
