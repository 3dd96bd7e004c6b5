#!/usr/bin/env bash
# On demand (not in CI: it fetches two Node binaries from the npm registry): the SDK and mock
# test projects and the demo (which also runs the CLI) under Node 22 and 24. The machine's own
# Node 20 is what `npm test` covers. Build first (`npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
for v in 22 24; do
  npm exec --yes --package="node@$v" -- sh -c '
    echo "== node $(node --version)"
    node node_modules/vitest/vitest.mjs run --project sdk --project server-mock
    node scripts/demo.mjs > /dev/null && echo "demo ok"
  '
done
