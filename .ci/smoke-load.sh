#!/usr/bin/env bash
# Smoke test of the load tool: builds in Release, plays Kong against HelloPlugin for ~3 s at concurrency 4.
# Fails only when the tool reports errors (wrong answers, RPC or I/O failures) or cannot start/connect; no timing
# assertion. Usage: .ci/smoke-load.sh   (DURATION=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3}
dotnet build benchmarks/Kong.Pdk.LoadTest -c Release -v q -nologo
dotnet build samples/HelloPlugin -c Release -v q -nologo
dir=$(mktemp -d /tmp/kong-smoke.XXXXXX)
trap 'rm -rf "$dir"' EXIT
set +e
dotnet benchmarks/Kong.Pdk.LoadTest/bin/Release/net10.0/Kong.Pdk.LoadTest.dll \
  --server-cmd "dotnet samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll -socket $dir/hello.socket" \
  --socket "$dir/hello.socket" --server-log "$dir/server.log" -c 4 -d "$DURATION" -w 0.5 -q
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "smoke-load: the load tool failed (exit $rc); server log:" >&2
  tail -n 30 "$dir/server.log" >&2 || true
  exit 1
fi
echo "smoke-load: ok"
