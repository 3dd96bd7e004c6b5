#!/usr/bin/env bash
# On demand (not part of `npm test`: it fetches Node 22 and the suite from the npm registry): the
# official MCP conformance suite, @modelcontextprotocol/conformance, for spec 2025-11-25.
#   client: every client scenario, against scripts/mcp-conformance.client.mjs (connectGateway and
#           an OAuth provider only);
#   server: every server scenario against the mock's /mcp (proxygate-mock, extended profile); the
#           ones a gateway cannot apply are listed, with why, in scripts/mcp-conformance.baseline.yml
#           (the suite fails the run if one of them starts passing, so the list stays true).
# Build first (`npm run test:mcp-conformance` does). Last result: sdk/src/mcp/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE="@modelcontextprotocol/conformance@${MCP_CONFORMANCE_VERSION:-0.1.16}"
SPEC=2025-11-25

tmp="$(mktemp -d)"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== fetching node@22 and $SUITE"
npm install --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error node@22 "$SUITE" >/dev/null
export PATH="$tmp/node_modules/.bin:$PATH"
echo "== node $(node --version)"
conformance() { node "$tmp/node_modules/@modelcontextprotocol/conformance/dist/index.js" "$@"; }

failed=0

echo "== client scenarios ($SPEC)"
scenarios="$(conformance list --client --spec-version "$SPEC" | sed -n 's/^ *- \([^ ]*\) .*/\1/p')"
client_passed=0
client_failed=0
for scenario in $scenarios; do
  if conformance client --command "node scripts/mcp-conformance.client.mjs" --scenario "$scenario" \
      --spec-version "$SPEC" -o "$tmp/client" > "$tmp/client.log" 2>&1; then
    client_passed=$((client_passed + 1))
    echo "  pass  $scenario"
  else
    client_failed=$((client_failed + 1))
    echo "  FAIL  $scenario"
    sed -n '/Test Results/,$p' "$tmp/client.log" | sed 's/^/        /'
  fi
done
echo "client: $client_passed passed, $client_failed failed"
[ "$client_failed" -eq 0 ] || failed=1

echo "== server scenarios ($SPEC) against proxygate-mock /mcp"
exec 3< <(exec node server-mock/bin/proxygate-mock.js --json)
mock_pid=$!
read -r mock_json <&3
url="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).url)' "$mock_json")"
if conformance server --url "$url/mcp" --spec-version "$SPEC" \
    --expected-failures scripts/mcp-conformance.baseline.yml -o "$tmp/server" > "$tmp/server.log" 2>&1; then
  server_status=0
else
  server_status=1
fi
sed -n '/=== SUMMARY ===/,$p' "$tmp/server.log"
[ "$server_status" -eq 0 ] || failed=1

if [ "$failed" -eq 0 ]; then echo "== MCP conformance: OK"; else echo "== MCP conformance: FAILED"; fi
exit "$failed"
