#!/usr/bin/env bash
# Kong.Pdk build entry points.
#
#   ./build.sh pack [--version X] [--output DIR] [--configuration C] [-- extra dotnet pack arguments]
#
# packs Kong.Pdk, Kong.Pdk.Testing, Kong.Pdk.OpenTelemetry, Kong.Pdk.Extensions.Hosting and Kong.Pdk.Templates (with their .snupkg symbol packages) into
# artifacts/packages. The version is VersionPrefix from Directory.Build.props plus a local suffix,
# dev.<commit count> (and .<UTC time> when the work tree has uncommitted changes), so that no copy left in the global
# packages folder (~/.nuget/packages) by an earlier pack can stand in for this one. --version sets the whole version
# (releases: the tag without its "v"). The packed template's --pdk-version default is this version.
# --configuration defaults to Release.
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
command="$1"; shift
[ "$command" = "pack" ] || usage

version=""
output="artifacts/packages"
configuration="Release"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --output) output="${2:?--output needs a value}"; shift 2 ;;
    --configuration) configuration="${2:?--configuration needs a value}"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done

prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
[ -n "$prefix" ] || { echo "no VersionPrefix in Directory.Build.props" >&2; exit 1; }

if [ -z "$version" ]; then
  if height=$(git rev-list --count HEAD 2>/dev/null); then
    suffix="dev.$height"
    if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      suffix="$suffix.$(date -u +%Y%m%d%H%M%S)"
    fi
  else
    suffix="dev.0.$(date -u +%Y%m%d%H%M%S)"   # not a git clone
  fi
  version="$prefix-$suffix"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$output"
dotnet pack Kong.Pdk.sln -c "$configuration" -o "$output" -p:Version="$version" "${extra[@]}"
feed=$(cd "$output" && pwd)
echo "Packed Kong.Pdk, Kong.Pdk.Testing, Kong.Pdk.OpenTelemetry, Kong.Pdk.Extensions.Hosting and Kong.Pdk.Templates $version into $feed"
echo "Next (docs/getting-started.md):"
echo "  dotnet new install $feed/Kong.Pdk.Templates.$version.nupkg --force"
echo "  dotnet new kongplugin -n MyPlugin --tests --local-feed $feed"
