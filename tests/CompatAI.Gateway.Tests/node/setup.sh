#!/usr/bin/env sh
# Installs the pinned `openai` npm package used by the Node tests of CompatAI.Gateway.Tests.
# CI runs this once before `dotnet test`; locally, run it after cloning.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
