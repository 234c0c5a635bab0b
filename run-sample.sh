#!/usr/bin/env bash
# Builds samples/HelloPlugin, prints its -dump (what Kong's query_cmd reads), starts it as Kong's start_cmd would,
# and plays one Kong request over its Unix socket: StartInstance, HandleEvent(access), two Steps, "ret".
set -euo pipefail
cd "$(dirname "$0")"
dotnet build samples/HelloPlugin -c Release -nologo -v q
dotnet build samples/SampleExchange -c Release -nologo -v q
plugin=samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll
echo "== HelloPlugin -dump"
dotnet "$plugin" -dump
prefix=$(mktemp -d /tmp/kong-sample.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$prefix"' EXIT
echo "== HelloPlugin -kong-prefix $prefix (server log on stderr)"
dotnet "$plugin" -kong-prefix "$prefix" &
pid=$!
dotnet samples/SampleExchange/bin/Release/net10.0/SampleExchange.dll "$prefix/hello-dotnet.socket"
kill -TERM "$pid"
wait "$pid"
echo "== server exited with $? after SIGTERM; socket removed: $([ -e "$prefix/hello-dotnet.socket" ] && echo no || echo yes)"
