#!/usr/bin/env sh
# Installs the pinned npm packages of the Node tests of CompatAI.Gateway.Tests: `openai` (client tests), `playwright-core` and `uplot` (dashboard test).
# CI runs this once before `dotnet test`; locally, run it after cloning.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
