#!/usr/bin/env bash
# Builds the browser suites' Headlamp host (host/: Headlamp's frontend from
# @kinvolk/headlamp-plugin's lib, with the Vite that package brings) once per
# lib version and host sources, into a cache outside the clone so a warm CI
# reuses it. Prints the directory holding the built index.html.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export PATH="$root/node_modules/.bin:$PATH"
modules="$root/node_modules"
version_of() { node -p "require('$modules/$1/package.json').version"; }
lib_version=$(version_of @kinvolk/headlamp-plugin)
# The builders' versions join the sources in the key: a new Vite or plugin may build a different host.
builders=$(for package in vite @vitejs/plugin-react vite-plugin-svgr vite-plugin-node-polyfills @iconify/react @iconify/icons-mdi; do echo "$package@$(version_of "$package")"; done)
hash=$({ echo "$builders"; cat build-host.sh host/index.html host/main.jsx host/vite.config.mjs; } | sha256sum | cut -c1-12)
cache=${READINESS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-readiness}/headlamp-host-$lib_version-$hash
mkdir -p "$(dirname "$cache")"
# Test files run in parallel: the first builds, the others wait for it.
exec 9>"$cache.lock"
flock 9
if [ -f "$cache/index.html" ]; then
  echo "$cache"
  exit 0
fi
echo "build-host: Headlamp's frontend from @kinvolk/headlamp-plugin $lib_version (vite)" >&2
work=$(mktemp -d "$cache.building-XXXXXX")
trap 'rm -rf "$work"' EXIT
vite build -c host/vite.config.mjs --outDir "$work/dist" --emptyOutDir >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; exit 1; }
rm -rf "$cache"
mv "$work/dist" "$cache"
echo "$cache"
