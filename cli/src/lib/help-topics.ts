import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';
import { EXIT_CODE_TABLE } from './exit-codes.js';

// Help topics (like `gh help environment`): reference pages that are not commands.

const ENVIRONMENT = `ENVIRONMENT VARIABLES

  PROXYGATE_API_KEY           API key or delegation token; overrides the stored profile,
                              overridden by --api-key
  PROXYGATE_GATEWAY_URL       gateway base URL (default ${DEFAULT_GATEWAY_URL});
                              overridden by --gateway
  PROXYGATE_PROFILE           stored profile to use (default "default"); overridden by --profile
  PROXYGATE_CONFIG_DIR        directory of credentials.json and the pinned receipt keys (receipt-keys/);
                              default $XDG_CONFIG_HOME/proxygate, else %LOCALAPPDATA%\\proxygate on
                              Windows, else ~/.config/proxygate
  XDG_CONFIG_HOME             base of the default configuration directory
  PROXYGATE_DATA_DIR          where paid calls keep their receipts (receipts/<profile>/YYYY-MM.jsonl);
                              default $XDG_DATA_HOME/proxygate, else %LOCALAPPDATA%\\proxygate on
                              Windows, else ~/.local/share/proxygate
  XDG_DATA_HOME               base of the default data directory
  PROXYGATE_CACHE_DIR         where receipts verify keeps its start-up caches (compiled code, checked
                              keys); default ~/Library/Caches/proxygate on macOS, else
                              $XDG_CACHE_HOME/proxygate, else %LOCALAPPDATA%\\proxygate on Windows,
                              else ~/.cache/proxygate (oclif's directories, on every platform)
  PROXYGATE_DISABLE_CODE_CACHE  any value: no start-up caches
  PROXYGATE_CREDENTIAL_STORE  "file" keeps secrets in credentials.json (mode 0600) instead of
                              the OS keychain (macOS Keychain via \`security\`, Secret Service
                              via \`secret-tool\`; each call times out after 3 s)
  PROXYGATE_RECEIPT_KEYS      key-set file for receipts verify/audit, and for call / mcp call
                              instead of the keys pinned on first use, when neither --keys nor
                              --pin is given
  PROXYGATE_MCP_URL           MCP endpoint (default <gateway>/mcp)
  PROXYGATE_TIMEOUT           seconds one request attempt may take (default 60), REST and MCP
                              (mcp tools/call/serve) alike; retries follow as for any failure (a
                              paid call only where the gateway replays by key)
  PROXYGATE_LOG               SDK log level (off, error, warn, info, debug); off by default
  PROXYGATE_CONTENT_TYPE      "json" makes every data command print JSON, as --json does
  PROXYGATE_PROMPT_DISABLED   1 or true: never prompt (nor when CI is set or stdin is not a TTY)
  CI                          set by CI runners: no prompts, no spinners
  NO_COLOR                    any non-empty value: no colour (https://no-color.org)
  DEBUG                       any value: print stack traces of errors (secrets stay masked);
                              DEBUG=oclif:perf shows start-up timings

PRECEDENCE
  key:      --api-key > PROXYGATE_API_KEY > stored profile
  gateway:  --gateway > PROXYGATE_GATEWAY_URL > stored profile > default
`;

function exitCodesPage(): string {
  const rows = EXIT_CODE_TABLE.map(({ code, meaning }) => `  ${String(code).padEnd(5)}${meaning}`).join('\n');
  return `EXIT CODES

${rows}

Errors print one line on stderr: "code: message (suggested action)". With --json the same
error is also printed on stdout as {"error": {"code", "message", "action", "exit_code"}}.

proxygate mcp serve exits at start with one line and: 2 a bad flag, or an unusable pins, keys or
receipts file; 4 no token (or one the gateway refuses); 1 the gateway unreachable (its MCP endpoint
or its receipt keys). Once serving it exits 0 when the host closes stdin (or on SIGINT/SIGTERM);
what it refuses during a session is told to the host in the tool result, never as an exit code.
`;
}

export const HELP_TOPICS: Record<string, { summary: string; render: () => string }> = {
  environment: { summary: 'environment variables the CLI reads', render: () => ENVIRONMENT },
  'exit-codes': { summary: 'what each exit code means', render: exitCodesPage },
};
