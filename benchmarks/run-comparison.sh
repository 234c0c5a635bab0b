#!/usr/bin/env bash
# Side-by-side run of the MsgPack:1 plugin servers under the same Kong-playing load tool, same machine, same run:
#   dotnet-jit        samples/HelloPlugin (Kong.Pdk), JIT, default connection mode (event loops, -connection-mode loop)
#   dotnet-aot        samples/HelloPlugin published with NativeAOT (its csproj sets PublishAot), default mode
#   dotnet-jit-thread, dotnet-aot-thread: the same with -connection-mode thread (a thread per connection)
#   js                Kong's JS PDK server (npm kong-pdk) with benchmarks/js-peer/plugins/hello-js.js
#   raw-floor         Kong.Pdk.LoadTest --raw-echo-server: the same bytes, no PDK logic
# Writes docs/performance-results.md.
#
# Environment:
#   DURATION=5          seconds measured per row          WARMUP=3   seconds of warm-up per row (the JIT build tiers
#                       up for 1-2 s with QuickJit off, 3-5 s with .NET's defaults: docs/performance.md, "JIT warm-up")
#   CONCURRENCY="1 4 16 64"       SERVERS="dotnet-jit dotnet-aot dotnet-jit-thread dotnet-aot-thread js raw-floor"
#   PAYLOAD=11          host header value size (bytes)     CALLS=2    PDK calls per event (HelloPlugin: 2)
#   MEMORY_RUN=0        1: also 1,000,000 events at concurrency MEMORY_CONCURRENCY against dotnet-jit (thread mode)
#                       and dotnet-aot (and dotnet-jit-loop, dotnet-aot-loop when in SERVERS): RSS and server fds/threads after warm-up vs at the end
#   MEMORY_EVENTS=1000000  MEMORY_CONCURRENCY=16
#   OUT=docs/performance-results.md
#   SKIP_AOT_PUBLISH=1  reuse artifacts/bench/hello-aot from an earlier run
#   CLIENT_MODE=loop    the load tool's client: loop (epoll event loop, default) or threads (a blocking thread per request)
#   PIN=""              e.g. PIN="0:1": the server on CPU 0 and the load tool on CPU 1 (taskset -c); on 2 cores this caps
#                       the server at one core (thread-per-connection servers lose their second core), so the default
#                       leaves both unpinned and compares server CPU per event instead
# Extra server kinds (not run by default): dotnet-jit-loop, dotnet-aot-loop: -connection-mode loop written out (one
# epoll event loop per core, handlers run inline on it; the same servers as dotnet-jit and dotnet-aot).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
CONCURRENCY=${CONCURRENCY:-"1 4 16 64"}
SERVERS=${SERVERS:-"dotnet-jit dotnet-aot dotnet-jit-thread dotnet-aot-thread js raw-floor"}
PAYLOAD=${PAYLOAD:-11}
CALLS=${CALLS:-2}
MEMORY_RUN=${MEMORY_RUN:-0}
MEMORY_EVENTS=${MEMORY_EVENTS:-1000000}
MEMORY_CONCURRENCY=${MEMORY_CONCURRENCY:-16}
OUT=${OUT:-docs/performance-results.md}
CLIENT_MODE=${CLIENT_MODE:-loop}
PIN=${PIN:-}
PIN_SERVER=""; PIN_CLIENT=""
if [[ -n "$PIN" ]]; then PIN_SERVER="taskset -c ${PIN%%:*} "; PIN_CLIENT="taskset -c ${PIN##*:} "; fi
WORK=$ROOT/artifacts/bench
SOCKDIR=$(mktemp -d /tmp/kong-bench.XXXXXX)
mkdir -p "$WORK"
trap 'rm -rf "$SOCKDIR"' EXIT

echo "== building (Release)"
dotnet build benchmarks/Kong.Pdk.LoadTest -c Release -v q -nologo | tail -n 3
dotnet build samples/HelloPlugin -c Release -v q -nologo | tail -n 3
LOADTEST="dotnet $ROOT/benchmarks/Kong.Pdk.LoadTest/bin/Release/net10.0/Kong.Pdk.LoadTest.dll"
HELLO_JIT="dotnet $ROOT/samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll"

AOT_WARNINGS="not built"
if [[ " $SERVERS " == *" dotnet-aot"* && ! ( "${SKIP_AOT_PUBLISH:-0}" == 1 && -x "$WORK/hello-aot/HelloPlugin" ) ]]; then
  echo "== publishing HelloPlugin with NativeAOT"
  dotnet publish samples/HelloPlugin -c Release -r linux-x64 -o "$WORK/hello-aot" -nologo \
    >"$WORK/aot-publish.log" 2>&1 || { tail -n 30 "$WORK/aot-publish.log"; exit 1; }
  AOT_WARNINGS=$(grep -cE 'warning IL[23][0-9]{3}' "$WORK/aot-publish.log" || true)
fi
HELLO_AOT="$WORK/hello-aot/HelloPlugin"

if [[ " $SERVERS " == *" js "* ]]; then
  echo "== installing kong-pdk (npm) into benchmarks/js-peer"
  (cd benchmarks/js-peer && npm install --no-audit --no-fund --loglevel=error kong-pdk >/dev/null)
  JS_VERSION=$(node -p "require('./benchmarks/js-peer/node_modules/kong-pdk/package.json').version")
fi
JS_SERVER="node $ROOT/benchmarks/js-peer/node_modules/kong-pdk/bin/kong-js-pluginserver --plugins-directory $ROOT/benchmarks/js-peer/plugins --kong-prefix $SOCKDIR --sock-name js.socket"

TABLE=$(mktemp)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
rc=0
run() { # label socket plugin concurrency command...
  local label=$1 socket=$2 plugin=$3 conc=$4; shift 4
  echo "== $label, concurrency $conc"
  $PIN_CLIENT$LOADTEST --server-cmd "$PIN_SERVER$*" --socket "$socket" --plugin "$plugin" -c "$conc" -d "$DURATION" -w "$WARMUP" \
    --client-mode "$CLIENT_MODE" --calls "$CALLS" --payload "$PAYLOAD" --label "$label" --markdown "$TABLE" --server-log "$WORK/$label.log" -q || rc=1
}

for c in $CONCURRENCY; do
  for s in $SERVERS; do
    case $s in
      dotnet-jit) run dotnet-jit "$SOCKDIR/jit.socket" hello-dotnet "$c" "$HELLO_JIT -socket $SOCKDIR/jit.socket -log-level warn" ;;
      dotnet-aot) run dotnet-aot "$SOCKDIR/aot.socket" hello-dotnet "$c" "$HELLO_AOT -socket $SOCKDIR/aot.socket -log-level warn" ;;
      dotnet-jit-thread) run dotnet-jit-thread "$SOCKDIR/jitt.socket" hello-dotnet "$c" "$HELLO_JIT -connection-mode thread -socket $SOCKDIR/jitt.socket -log-level warn" ;;
      dotnet-aot-thread) run dotnet-aot-thread "$SOCKDIR/aott.socket" hello-dotnet "$c" "$HELLO_AOT -connection-mode thread -socket $SOCKDIR/aott.socket -log-level warn" ;;
      dotnet-jit-loop) run dotnet-jit-loop "$SOCKDIR/jitl.socket" hello-dotnet "$c" "$HELLO_JIT -connection-mode loop -socket $SOCKDIR/jitl.socket -log-level warn" ;;
      dotnet-aot-loop) run dotnet-aot-loop "$SOCKDIR/aotl.socket" hello-dotnet "$c" "$HELLO_AOT -connection-mode loop -socket $SOCKDIR/aotl.socket -log-level warn" ;;
      js)         run js "$SOCKDIR/js.socket" hello-js "$c" "$JS_SERVER" ;;
      raw-floor)  run raw-floor "$SOCKDIR/raw.socket" hello-dotnet "$c" "$LOADTEST --raw-echo-server $SOCKDIR/raw.socket --calls $CALLS --payload $PAYLOAD" ;;
      *) echo "unknown server $s" >&2; exit 2 ;;
    esac
  done
done

MEMORY_TABLE=""
if [[ "$MEMORY_RUN" == 1 ]]; then
  MEMORY_TABLE=$(mktemp); MEMORY_TEXT=$(mktemp)
  mem() { # label command...
    local label=$1; shift
    echo "== memory: $MEMORY_EVENTS events at concurrency $MEMORY_CONCURRENCY, $label"
    $PIN_CLIENT$LOADTEST --server-cmd "$PIN_SERVER$* -socket $SOCKDIR/mem.socket -log-level warn" --socket "$SOCKDIR/mem.socket" -c "$MEMORY_CONCURRENCY" -n "$MEMORY_EVENTS" -w 3 \
      --client-mode "$CLIENT_MODE" --calls "$CALLS" --payload "$PAYLOAD" --label "$label $MEMORY_EVENTS events" --markdown "$MEMORY_TABLE" \
      --server-log "$WORK/memory-$label.log" -q | tee -a "$MEMORY_TEXT" || rc=1
  }
  mem dotnet-jit "$HELLO_JIT"
  [[ -x "$HELLO_AOT" ]] && mem dotnet-aot "$HELLO_AOT"
  [[ " $SERVERS " == *" dotnet-jit-thread "* ]] && mem dotnet-jit-thread "$HELLO_JIT -connection-mode thread"
  [[ " $SERVERS " == *" dotnet-aot-thread "* && -x "$HELLO_AOT" ]] && mem dotnet-aot-thread "$HELLO_AOT -connection-mode thread"
  [[ " $SERVERS " == *" dotnet-jit-loop "* ]] && mem dotnet-jit-loop "$HELLO_JIT -connection-mode loop"
  [[ " $SERVERS " == *" dotnet-aot-loop "* && -x "$HELLO_AOT" ]] && mem dotnet-aot-loop "$HELLO_AOT -connection-mode loop"
fi

# NativeAOT: -dump median over 21 runs, idle RSS.
DUMP_MS="n/a"; IDLE_RSS="n/a"
if [[ -x "$HELLO_AOT" ]]; then
  times=()
  for i in $(seq 21); do
    s=$(date +%s%N); "$HELLO_AOT" -dump >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  DUMP_MS=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 11p | awk '{printf "%.1f", $1/1000}')
  "$HELLO_AOT" -socket "$SOCKDIR/idle.socket" -log-level warn & pid=$!
  for i in $(seq 100); do [[ -S "$SOCKDIR/idle.socket" ]] && break; sleep 0.05; done
  sleep 1
  IDLE_RSS=$(awk '/^VmRSS:/ {printf "%.1f", $2/1024}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
fi
JIT_DUMP_MS=$( { s=$(date +%s%N); $HELLO_JIT -dump >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); } )

{
  echo "# Performance results"
  echo
  echo "Generated by \`benchmarks/run-comparison.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; see"
  echo "[performance.md](performance.md) for how to read it."
  echo
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
  echo "- .NET $(dotnet --version) SDK; Node $(node --version); kong-pdk ${JS_VERSION:-not run}"
  echo "- Workload: access handler, $CALLS PDK calls per event ($((CALLS - 1)) × get_header + set_header, $((CALLS + 1)) round trips), host value $PAYLOAD B;"
  echo "  $DURATION s measured after $WARMUP s warm-up per row; 2 simulated nginx workers, each with a LIFO connection pool;"
  echo "  load tool client: $CLIENT_MODE${PIN:+; pinned (server:load tool CPUs) $PIN}."
  echo "- The load tool runs on the same cores as the server: the figures are for comparison within this table, not absolute capacity."
  echo "- Load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  cat "$TABLE"
  echo
  echo "PDK call = one \`plugin.Step\` round trip (Kong sends the PDK result, the server answers with the next call or \"ret\")."
  echo "server CPU = utime+stime of the server process over the measured window, divided by events."
  if [[ -n "$MEMORY_TABLE" ]]; then
    echo; echo "## Memory over $MEMORY_EVENTS events at concurrency $MEMORY_CONCURRENCY"; echo; cat "$MEMORY_TABLE"
    echo; echo "Server fds and threads (load tool report):"; echo
    grep -E '^(== |server RSS|server handles)' "$MEMORY_TEXT" | sed 's/^/    /'
  fi
  echo
  echo "## NativeAOT"
  echo
  echo "- IL2xxx/IL3xxx warnings in \`dotnet publish samples/HelloPlugin -c Release -r linux-x64\` (PublishAot in the csproj): $AOT_WARNINGS"
  echo "- \`-dump\` median of 21 runs: $DUMP_MS ms (JIT, one run: $JIT_DUMP_MS ms)"
  echo "- idle RSS after start: $IDLE_RSS MB"
} > "$OUT"
rm -f "$TABLE" ${MEMORY_TABLE:+"$MEMORY_TABLE" "$MEMORY_TEXT"}
echo "== wrote $OUT"
cat "$OUT"
exit $rc
