#!/usr/bin/env bash
# Smoke test of the load tool against HelloPlugin in the default connection mode (event loops): builds in Release,
# then plays Kong for ~3 s at concurrency 4 and for ~3 s at concurrency 64. Fails only when the tool reports errors
# (wrong answers, RPC or I/O failures), completes no event, cannot start/connect, or the server's thread count passes
# its bound: the default mode's threads stay bounded whatever the connection count, at most 2 x cores + 16 (one event
# loop per core plus the runtime's own). Then ~3 s at concurrency 64 in -connection-mode thread, whose threads grow
# with connections: at most one per connection plus the runtime's own (a leak of connection threads, for example
# after blocked handlers, shows here). No timing assertion. Then checks that the tool reports wrong
# answers (--calls 3 against HelloPlugin's 2 calls: exit 1) with both of its clients (loop, threads).
# Usage: .ci/smoke-load.sh   (DURATION=3 by default; CONCURRENCY="4 64"; THREAD_CONCURRENCY=64)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3}
CONCURRENCY=${CONCURRENCY:-"4 64"}
RUNTIME_THREADS=${RUNTIME_THREADS:-48} # the runtime's own threads (GC, finalizer, thread pool, timers, the log writer)
dotnet build benchmarks/Kong.Pdk.LoadTest -c Release -v q -nologo
dotnet build samples/HelloPlugin -c Release -v q -nologo
dir=$(mktemp -d /tmp/kong-smoke.XXXXXX)
trap 'rm -rf "$dir"' EXIT
THREAD_CONCURRENCY=${THREAD_CONCURRENCY:-64}
LOOP_THREADS=$((2 * $(nproc) + 16))
smoke() { # concurrency max-threads extra-server-args...
  local c=$1 max=$2; shift 2
  set +e
  dotnet benchmarks/Kong.Pdk.LoadTest/bin/Release/net10.0/Kong.Pdk.LoadTest.dll \
    --server-cmd "dotnet samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll -socket $dir/hello.socket $*" \
    --socket "$dir/hello.socket" --server-log "$dir/server.log" -c "$c" -d "$DURATION" -w 0.5 -q \
    --max-server-threads "$max"
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "smoke-load: the load tool failed at concurrency $c ${*:-(default mode)} (exit $rc); server log:" >&2
    tail -n 30 "$dir/server.log" >&2 || true
    exit 1
  fi
}
for c in $CONCURRENCY; do
  smoke "$c" "$LOOP_THREADS"
done
smoke "$THREAD_CONCURRENCY" $((THREAD_CONCURRENCY + RUNTIME_THREADS)) -connection-mode thread
# Every answer is checked, in both client modes: HelloPlugin makes 2 PDK calls per event, so a load tool expecting 3
# (--calls 3) must report wrong answers and exit 1.
for mode in loop threads; do
  set +e
  out=$(dotnet benchmarks/Kong.Pdk.LoadTest/bin/Release/net10.0/Kong.Pdk.LoadTest.dll \
    --server-cmd "dotnet samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll -socket $dir/hello.socket" \
    --socket "$dir/hello.socket" --server-log "$dir/server.log" -c 4 -d 1 -w 0 -q --calls 3 --client-mode $mode 2>&1)
  rc=$?
  set -e
  if [[ $rc -ne 1 ]] || ! grep -q "expected 2 and 1" <<<"$out"; then
    echo "smoke-load: a wrong number of PDK calls was not reported as an error by the $mode client (exit $rc):" >&2
    echo "$out" | tail -n 15 >&2
    exit 1
  fi
done
# The loop client runs one event loop per simulated worker by default (2 workers, as nginx runs a loop per worker
# process), and never more loops than workers.
for loops in "" "--loops 5" "--loops 1"; do
  expected="2 event loop thread(s)"
  [[ "$loops" == "--loops 1" ]] && expected="1 event loop thread(s)"
  set +e
  out=$(dotnet benchmarks/Kong.Pdk.LoadTest/bin/Release/net10.0/Kong.Pdk.LoadTest.dll \
    --server-cmd "dotnet samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll -socket $dir/hello.socket" \
    --socket "$dir/hello.socket" --server-log "$dir/server.log" -c 4 -d 0.5 -w 0 $loops 2>&1)
  rc=$?
  set -e
  if [[ $rc -ne 0 ]] || ! grep -q "over 2 worker(s), $expected" <<<"$out"; then
    echo "smoke-load: the loop client with '${loops:-no --loops}' did not run $expected over 2 workers (exit $rc):" >&2
    echo "$out" | tail -n 15 >&2
    exit 1
  fi
done
echo "smoke-load: ok"
