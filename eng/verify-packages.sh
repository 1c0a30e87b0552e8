#!/usr/bin/env bash
# Proves the packages the way a user meets them, offline, from a local folder feed:
#   1. eng/pack.sh packs CompatAI, CompatAI.Emulator, CompatAI.StackExchangeRedis, CompatAI.Cli and CompatAI.Gateway (Release) and lists them with sizes;
#   2. samples/PackageConsumer (console + ASP.NET Core) restores CompatAI and CompatAI.Emulator from that feed only,
#      builds and runs against the emulator on 127.0.0.1;
#   3. `dotnet tool install --tool-path` installs `compatai` and `compatai-gateway` from that feed only; `compatai --help`,
#      `compatai doctor` against the emulator (served by the consumer, i.e. by the package), and the gateway's
#      /healthz and /v1/models answer.
# Prints PASS/FAIL per check and ends with "package checks passed: N, failed: M"; exits 1 when any check failed.
#
#   eng/verify-packages.sh [feed-dir]      default: artifacts/packages
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
feed="${1:-artifacts/packages}"
mkdir -p "$feed" && feed="$(cd "$feed" && pwd)"
work="$(mktemp -d)"
passed=0; failed=0; pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
pass() { echo "PASS  $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; failed=$((failed + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/      | /' "$2" | tail -40; }
finish() { echo "package checks passed: $passed, failed: $failed"; [ "$failed" -eq 0 ]; exit $?; }
# The tools' apphosts find the runtime through DOTNET_ROOT when dotnet is not in a default location.
export DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' eng/Version.props)"

http_get() { # url -> body on stdout; non-zero exit on an HTTP error
  if command -v curl > /dev/null; then curl -sf --max-time 30 "$1"; else node -e "fetch(process.argv[1]).then(async r => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1); }, () => process.exit(1))" "$1"; fi
}
wait_for_line() { # file pattern -> the first matching line, waiting up to 120 s
  for _ in $(seq 1 240); do
    line=$(grep -m1 -oE "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
    sleep 0.5
  done
  return 1
}

# 1. Pack.
if eng/pack.sh "$feed" > "$work/pack.log" 2>&1; then
  sed -n '/^packages in/,$p' "$work/pack.log"
  pass "dotnet pack: 5 packages + symbols into $feed"
else
  fail "dotnet pack" "$work/pack.log"; finish
fi

# A package restored once stays in the global packages folder under its version; drop ours so every run installs
# the bits just packed, not an older build of the same version.
packages_dir="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
for id in compatai compatai.emulator compatai.stackexchangeredis compatai.cli compatai.gateway; do rm -rf "${packages_dir%/}/$id/$version"; done

# 2. The consumer, from the feed only (samples/PackageConsumer/nuget.config; its build fails if a CompatAI assembly
#    comes from anywhere but a package).
for app in ConsoleConsumer WebConsumer; do
  project="samples/PackageConsumer/$app"
  if ! dotnet build "$project" -c Release > "$work/$app-build.log" 2>&1; then
    fail "$app: restore from the local feed and build" "$work/$app-build.log"; continue
  fi
  grep -E "from package" "$work/$app-build.log" | sed 's/^ */      /' | sort -u
  pass "$app: restore from the local feed and build"
  args=(); [ "$app" = WebConsumer ] && args=(--self-test)
  if timeout 300 dotnet "$project/bin/Release/net10.0/$app.dll" "${args[@]}" > "$work/$app-run.log" 2>&1; then
    grep -vE "^(info|warn):|^      " "$work/$app-run.log" | sed 's/^/      /'
    pass "$app: runs offline against the emulator package"
  else
    fail "$app: runs offline against the emulator package" "$work/$app-run.log"
  fi
done

# 3. The tools, from the feed only (a config that knows no other source).
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="compatai-local" value="$feed" /></packageSources></configuration>
CONFIG
tools="$work/tools"
for package in CompatAI.Cli CompatAI.Gateway; do
  if (cd "$work" && dotnet tool install "$package" --version "$version" --tool-path "$tools" --configfile "$work/nuget.config") > "$work/$package-install.log" 2>&1; then
    pass "dotnet tool install $package --tool-path (local feed only)"
  else
    fail "dotnet tool install $package --tool-path (local feed only)" "$work/$package-install.log"
  fi
done

if [ -x "$tools/compatai" ]; then
  if "$tools/compatai" --help > "$work/help.log" 2>&1 && grep -q "doctor" "$work/help.log"; then
    pass "compatai --help lists the commands"
  else
    fail "compatai --help" "$work/help.log"
  fi

  dotnet samples/PackageConsumer/ConsoleConsumer/bin/Release/net10.0/ConsoleConsumer.dll serve > "$work/emulator.log" 2>&1 &
  pids+=($!)
  if base=$(wait_for_line "$work/emulator.log" 'http://127\.0\.0\.1:[0-9]+/'); then
    if (cd "$work" && "$tools/compatai" doctor --provider vllm --endpoint "${base}vllm/v1" --model meta-llama/Llama-3.1-8B-Instruct) > "$work/doctor.log" 2>&1; then
      sed 's/^/      /' "$work/doctor.log"
      pass "compatai doctor against the emulator: every check passes"
    else
      fail "compatai doctor against the emulator" "$work/doctor.log"
    fi
  else
    fail "emulator (ConsoleConsumer serve) did not start" "$work/emulator.log"
  fi
fi

if [ -x "$tools/compatai-gateway" ]; then
  (cd "$work" && exec "$tools/compatai-gateway" --urls http://127.0.0.1:0) > "$work/gateway.log" 2>&1 &
  pids+=($!)
  if gateway=$(wait_for_line "$work/gateway.log" 'http://127\.0\.0\.1:[0-9]+'); then
    if http_get "$gateway/healthz" > "$work/healthz.log" 2>&1 && http_get "$gateway/v1/models" > "$work/models.log" 2>&1 && grep -q '"echo/echo-1"' "$work/models.log"; then
      echo "      GET $gateway/v1/models -> $(head -c 160 "$work/models.log")"
      pass "compatai-gateway serves /healthz and /v1/models"
    else
      cat "$work/healthz.log" "$work/models.log" > "$work/gateway-http.log" 2>/dev/null
      fail "compatai-gateway /healthz and /v1/models" "$work/gateway-http.log"
    fi
  else
    fail "compatai-gateway did not start" "$work/gateway.log"
  fi
fi

finish
