#!/usr/bin/env bash
# Builds the real Headlamp app users run, v0.45.0 (headlamp-server and the
# built frontend), from ../shared/upstream/headlamp, once per version: into a
# cache outside the clone, so a warm CI reuses it. Prints the cache directory.
set -euo pipefail
cd "$(dirname "$0")"
version=0.45.0
source_dir=${READINESS_UPSTREAM_ROOT:-$(cd ../../.. && pwd)/shared/upstream}/headlamp
cache=${READINESS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-readiness}/headlamp-v$version
mkdir -p "$(dirname "$cache")"
# Test files run in parallel: the first builds, the others wait for it.
exec 9>"$cache.lock"
flock 9
if [ -f "$cache/built" ]; then
  echo "$cache"
  exit 0
fi
[ -f "$source_dir/frontend/package.json" ] || { echo "build-real: no Headlamp sources in $source_dir" >&2; exit 3; }
node_bin=$(cd ../.. && pwd)/node_modules/.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Built from a copy: the upstream tree stays as handed over.
cp -r "$source_dir/backend" "$source_dir/frontend" "$work/"
[ -d "$source_dir/app" ] && cp -r "$source_dir/app" "$work/"
echo "build-real: headlamp-server $version" >&2
(cd "$work/backend" && go build -trimpath -ldflags "-s -w" -o "$work/headlamp-server" ./cmd)
echo "build-real: Headlamp frontend $version (vite)" >&2
cat > "$work/frontend/.env" <<ENV
REACT_APP_HEADLAMP_VERSION=$version
REACT_APP_HEADLAMP_GIT_VERSION=v$version
REACT_APP_HEADLAMP_PRODUCT_NAME=Headlamp
REACT_APP_ENABLE_REACT_QUERY_DEVTOOLS=false
REACT_APP_HEADLAMP_SIDEBAR_DEFAULT_OPEN=true
ENV
(cd "$work/frontend" && PATH="$node_bin:$PATH" npm ci --ignore-scripts --no-audit --no-fund &&
  PATH="$node_bin:$PATH" PUBLIC_URL=./ NODE_OPTIONS=--max-old-space-size=8096 npx vite build) >"$work/frontend.log" 2>&1 ||
  { tail -40 "$work/frontend.log" >&2; exit 1; }
rm -rf "$cache"
mkdir -p "$cache"
mv "$work/headlamp-server" "$cache/"
mv "$work/frontend/build" "$cache/frontend"
touch "$cache/built"
echo "$cache"
