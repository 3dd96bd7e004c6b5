#!/usr/bin/env bash
# On demand (not part of `npm test`: it fetches Node 22 and the Inspector from the npm registry):
# the official MCP Inspector CLI (2.x, which needs Node >= 22.19) lists and calls tools through
# `proxygate mcp serve` on stdio, against proxygate-mock (extended profile, then public): the
# catalog (browse_apis), a read of the account (check_balance) and a paid call (call_api, whose
# receipt the server verifies and keeps). Build first (`npm run build`). Last result: cli/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
INSPECTOR="@modelcontextprotocol/inspector@${MCP_INSPECTOR_VERSION:-2.12.0}"
repo="$(pwd)"
NODE20="$(command -v node)"

tmp="$(mktemp -d)"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== fetching node@22 and $INSPECTOR"
npm install --prefix "$tmp/tools" --no-save --no-audit --no-fund --loglevel=error node@22 "$INSPECTOR" >/dev/null
inspector() { PATH="$tmp/tools/node_modules/.bin:$PATH" MCP_CATALOG_PATH="$tmp/catalog.json" "$tmp/tools/node_modules/.bin/inspector" --cli "$@"; }
echo "== inspector $(inspector --version) on node $("$tmp/tools/node_modules/.bin/node" --version); proxygate mcp serve on node $("$NODE20" --version)"

failed=0
for profile in extended public; do
  echo "== $profile profile"
  exec 3< <(exec "$NODE20" server-mock/bin/proxygate-mock.js --json --profile "$profile")
  mock_pid=$!
  read -r mock_json <&3
  field() { "$NODE20" -e 'const v=JSON.parse(process.argv[1]); process.stdout.write(String(process.argv[2].split(".").reduce((o,k)=>o[k],v)))' "$mock_json" "$1"; }
  url="$(field url)"
  token="$(field tokens.trader)"
  echo_id="$("$NODE20" -e 'fetch(process.argv[1]+"/v1/apis?limit=100").then(r=>r.json()).then(j=>process.stdout.write(j.data.find(l=>l.slug==="echo").listing_id))' "$url")"
  home="$tmp/$profile"
  # The server's environment (-e): the token reaches it only this way, never as an argument.
  server=(-e "PROXYGATE_GATEWAY_URL=$url" -e "PROXYGATE_API_KEY=$token" -e "PROXYGATE_CONFIG_DIR=$home/config"
          -e "PROXYGATE_DATA_DIR=$home/data" -e "PROXYGATE_CREDENTIAL_STORE=file" -e "PATH=$PATH" --
          "$NODE20" "$repo/cli/bin/run.cjs" mcp serve --receipts "$home/receipts.jsonl")
  run() {
    local what="$1"; shift
    if out="$(inspector "$@" "${server[@]}" 2>"$tmp/stderr")"; then
      echo "  ok    $what"
      printf '%s\n' "$out" | "$NODE20" -e '
        let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
          const r = JSON.parse(s);
          if (r.tools) return console.log("        tools: " + r.tools.map((t) => t.name).join(", "));
          const text = (r.content ?? []).map((c) => c.text ?? "").join("\n");
          console.log(text.split("\n").filter((l) => /^(proxygate mcp serve|Receipt|Shield|BEGIN-DATA)/.test(l)).map((l) => "        " + l).join("\n"));
          if (r.isError) process.exitCode = 1;
        });' || { echo "  FAIL  $what (tool error)"; failed=1; }
    else
      echo "  FAIL  $what"; sed 's/^/        /' "$tmp/stderr"; failed=1
    fi
  }
  run "tools/list" --method tools/list
  run "tools/call browse_apis" --method tools/call --tool-name browse_apis --tool-arg q=weather --tool-arg limit=2
  run "tools/call check_balance" --method tools/call --tool-name check_balance
  run "tools/call call_api (paid)" --method tools/call --tool-name call_api --tool-arg "listing_id=$echo_id" --tool-arg path=/echo
  lines="$(wc -l < "$home/receipts.jsonl" | tr -d ' ')"
  if PROXYGATE_GATEWAY_URL="$url" PROXYGATE_CONFIG_DIR="$home/config" PROXYGATE_DATA_DIR="$home/data" \
      "$NODE20" cli/bin/run.cjs receipts verify "$home/receipts.jsonl" >/dev/null 2>&1 < /dev/null && [ "$lines" = 1 ]; then
    echo "  ok    receipts verify of the kept receipt ($lines line)"
  else
    echo "  FAIL  receipts verify of the kept receipt ($lines lines)"; failed=1
  fi
  kill "$mock_pid" 2>/dev/null || true
  mock_pid=""
done

if [ "$failed" -eq 0 ]; then echo "== MCP Inspector through proxygate mcp serve: OK"; else echo "== MCP Inspector through proxygate mcp serve: FAILED"; fi
exit "$failed"
