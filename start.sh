#!/usr/bin/env sh
# Starts Callroom the way the seed's start.sh did: build the browser bundle,
# then serve on $HOST:$PORT (defaults 0.0.0.0:8000).
set -eu
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
node scripts/build.mjs
exec node src/server/main.ts
