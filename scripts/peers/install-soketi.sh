#!/usr/bin/env bash
# Installs soketi (the conformance and benchmark peer of the mock provider) into .peers/soketi,
# outside the project's package.json. soketi pins uWebSockets.js to a GitHub tarball that no
# longer installs; the override swaps in a published build of the same uWS API.
# Known quirk of that build: HTTP error statuses come back as 200 (the JSON body still has the error).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/.peers/soketi"
version="${SOKETI_VERSION:-1.6.1}"
mkdir -p "$dir"
cd "$dir"
cat > package.json <<JSON
{
  "name": "echoscope-peer-soketi",
  "private": true,
  "description": "soketi, installed for EchoScope's conformance suite and benchmark (scripts/peers/install-soketi.sh)",
  "dependencies": { "@soketi/soketi": "$version" },
  "overrides": { "uWebSockets.js": "npm:@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0" }
}
JSON
npm install --no-audit --no-fund --loglevel=error
node -e "require('@soketi/soketi/package.json')" >/dev/null
echo "soketi $(node -p "require('@soketi/soketi/package.json').version") installed in $dir"
echo "run: node $dir/node_modules/@soketi/soketi/bin/server.js start"
