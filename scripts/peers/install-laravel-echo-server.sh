#!/usr/bin/env bash
# Installs laravel-echo-server (a Socket.IO broadcaster we did not write) into .peers/, outside the
# project's dependencies, for the Socket.IO interop tests. Its Redis comes from Debian (redis-server).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.peers/laravel-echo-server"
if [ -x "$dir/node_modules/.bin/laravel-echo-server" ]; then exit 0; fi
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"name":"echoscope-peer-laravel-echo-server","private":true}\n' > package.json
npm install --no-audit --no-fund --ignore-scripts laravel-echo-server@1.6.3 >/dev/null
test -x node_modules/.bin/laravel-echo-server
