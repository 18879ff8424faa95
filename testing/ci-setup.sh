#!/usr/bin/env bash
# Prepares the Node fixtures used by the end-to-end tests (testing/oidc-provider): checks that
# Node.js 20 or later is installed, then installs the locked dependencies. Called by .ci/run;
# safe to run by hand from any directory.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$repo_root/testing/oidc-provider"
minimum_node_major=20

if ! command -v node >/dev/null 2>&1; then
  echo "ci-setup: node is not installed; Node.js ${minimum_node_major} or later is required" >&2
  exit 1
fi

node_version="$(node --version)"
node_major="${node_version#v}"
node_major="${node_major%%.*}"
if ! [[ "$node_major" =~ ^[0-9]+$ ]] || (( node_major < minimum_node_major )); then
  echo "ci-setup: node ${node_version} found; Node.js ${minimum_node_major} or later is required" >&2
  exit 1
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "ci-setup: npm is not installed" >&2
  exit 1
fi

echo "ci-setup: node ${node_version}, npm $(npm --version)"
npm ci --prefix "$fixtures" --no-audit --no-fund
