# Sourced by the bench scripts (from the repository root, after UP_PORT is set): the environment that makes a published
# gateway serve the bench mock upstream (eng/bench/gateway/mock-upstream.mjs on 127.0.0.1:$UP_PORT).
#   mock_gateway_env            -> MOCK_ENV: provider `openai` on the mock, logging at Warning
#   mock_gateway_env fallback   -> also provider `backup` on the same mock and the fallback chain openai -> backup
# Use: mock_gateway_env [fallback]; env "${MOCK_ENV[@]}" OTHER=VALUE "$PUB/CompatAI.Gateway" --urls ...
mock_gateway_env() {
  local provider
  MOCK_ENV=(Logging__LogLevel__Default="Warning")
  for provider in openai ${1:+backup}; do
    MOCK_ENV+=(
      CompatAI__Providers__${provider}__Provider="openai"
      CompatAI__Providers__${provider}__Endpoint="http://127.0.0.1:${UP_PORT}/v1/"
      CompatAI__Providers__${provider}__ApiKey="bench-key"
      CompatAI__Providers__${provider}__Model="gpt-4o-mini"
      CompatAI__Providers__${provider}__ListUpstreamModels="false")
  done
  if [ "${1:-}" = fallback ]; then
    MOCK_ENV+=(CompatAI__Fallback__0="openai" CompatAI__Fallback__1="backup")
  elif [ -n "${1:-}" ]; then
    echo "mock_gateway_env: unknown argument '$1' (expected nothing or 'fallback')" >&2
    return 1
  fi
}
