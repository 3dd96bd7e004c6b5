// Everything `mcp serve` checks and sets up before it answers a host, in the order a failure should
// be reported: flags, the pins file, the receipt keys, where receipts go, the allowed listings,
// then the gateway. Each failure is one CliError with a documented exit code.
import type { GatewayMcpClient } from '@proxygate-kit/sdk/mcp';
import type { ResolvedAuth } from '../base-command.js';
import { createClient, type GatewayClient } from '../client.js';
import { CliError, toCliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { connectMcp, mcpUrl } from '../mcp-connect.js';
import { loadPinnedKeys } from '../receipt-keys.js';
import { loadMcpSdk, loadSdk } from '../sdk-loader.js';
import { fetchKeyMaterial, readPin, ReceiptTrail, syncPin, trailNow } from '../trail/index.js';
import { cliVersion } from '../version.js';
import { DailySpendStore } from './daily-spend.js';
import { GatewayFront, type ShieldMode } from './front.js';
import { SpendBudget } from './spend-budget.js';
import { createToolPins, defaultToolPinsFile, pinsOf, readToolPins } from './tool-pins-file.js';

export interface ServeSettings {
  pins?: string | undefined;
  keys?: string | undefined;
  /** `--allow-legacy-receipts`: v1/v2 receipts from a gateway that signs v3 are not downgrades. */
  allowLegacyReceipts?: boolean | undefined;
  receipts?: string | undefined;
  readOnly: boolean;
  sessionMaxMicroUsd?: number | undefined;
  dailyMaxMicroUsd?: number | undefined;
  allowListings: readonly string[];
  shield: ShieldMode;
  structured: boolean;
}

export interface Started {
  front: GatewayFront;
  client: GatewayMcpClient;
  /** What the server serves, for the start-up line. */
  summary: string;
}

export async function startServe(auth: ResolvedAuth, settings: ServeSettings, note: (text: string) => void, secrets: readonly string[]): Promise<Started> {
  const url = mcpUrl(auth);
  // 1. The tool pins (a bad file stops here, before anything is sent).
  const pinsFile = settings.pins ?? defaultToolPinsFile(auth.profile, url);
  let pins = await readToolPins(pinsFile);

  // 2. The receipt keys: --keys (or PROXYGATE_RECEIPT_KEYS), else the profile's pin, pinned now on first use.
  let rest: Promise<GatewayClient> | undefined;
  const restClient = () => (rest ??= createClient(auth));
  const explicit = settings.keys !== undefined || Boolean(process.env['PROXYGATE_RECEIPT_KEYS']);
  if (!explicit && !(await readPin(auth.profile, auth.gatewayUrl))) {
    try {
      await syncPin(auth.profile, auth.gatewayUrl, await fetchKeyMaterial(await restClient()), note);
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.usage) throw error;
      throw unreachable(auth.gatewayUrl, 'its receipt keys could not be read to pin them', error);
    }
  }
  const trail = await ReceiptTrail.open({
    profile: auth.profile,
    gatewayUrl: auth.gatewayUrl,
    // --receipts FILE takes the receipts instead of the profile's kept log.
    keep: settings.receipts === undefined,
    receiptsFile: settings.receipts,
    explicitKeys: explicit ? () => loadPinnedKeys(settings.keys, []) : undefined,
    note,
    client: restClient,
  });

  // 3. The listings --allow-listing names, as listing ids (a reference that fits none or several stops here).
  let allowListings: Map<string, string> | undefined;
  if (settings.allowListings.length > 0) {
    allowListings = new Map();
    const client = await restClient();
    for (const ref of settings.allowListings) {
      try {
        const listing = await client.calls.resolveListing(ref);
        allowListings.set(listing.listing_id, ref);
      } catch (error) {
        const failure = toCliError(error);
        if (failure.code === 'connection_error') throw unreachable(auth.gatewayUrl, `--allow-listing ${ref} could not be looked up`, error);
        throw new CliError(failure.code, `--allow-listing ${ref}: ${failure.message}`, ExitCode.usage, failure.action, failure.details);
      }
    }
  }

  // 4. The gateway's MCP endpoint, its tools judged by the pins (a changed tool is blocked, the rest served).
  const mcpSdk = await loadMcpSdk();
  let client: GatewayMcpClient;
  try {
    client = await connectMcp(auth, undefined, {
      ...(trail.keys ? { keys: trail.keys } : {}),
      allowLegacyReceipts: settings.allowLegacyReceipts === true,
      pin: { ...(pins ? { saved: pins.pins } : {}), mode: 'refuse-changed', onMismatch: () => undefined },
      clientInfo: { name: 'proxygate-mcp-serve', version: cliVersion() },
    });
  } catch (error) {
    const failure = toCliError(error);
    if (failure.code === 'connection_error') throw unreachable(url, 'its MCP endpoint did not answer', error);
    throw failure;
  }
  try {
    const tools = await client.listTools();
    if (!pins) {
      const made = await createToolPins(pinsFile, await pinsOf(tools, url, undefined, trailNow()));
      pins = made.loaded;
      if (made.created) {
        note(`mcp serve: pinned the ${tools.length} MCP tool definitions of ${url} in ${pinsFile} (first run); a tool that changes is blocked until "proxygate mcp pin" renews the pins`);
      } else {
        client.acceptPins(pins.pins);
      }
    }
    const budget = new SpendBudget(
      { sessionMicroUsd: settings.sessionMaxMicroUsd, dailyMicroUsd: settings.dailyMaxMicroUsd },
      settings.dailyMaxMicroUsd === undefined ? undefined : DailySpendStore.for(auth.profile, auth.gatewayUrl, () => trailNow()),
    );
    const front = new GatewayFront({
      client,
      mcpSdk,
      sdk: await loadSdk(),
      rest: restClient,
      trail,
      gatewayUrl: auth.gatewayUrl,
      pinsFile,
      pins,
      tools,
      readOnly: settings.readOnly,
      shieldFloor: settings.shield,
      allowListings,
      budget,
      structured: settings.structured,
      note,
      secrets,
    });
    await front.reportBlocked();
    const scopes = client.scopes;
    const money = (await loadSdk()).formatUsd;
    const parts = [
      `${tools.length} tools of ${url}`,
      `token scopes: ${scopes === undefined ? 'unknown (nothing refused locally)' : scopes.join(', ') || 'none'}`,
      `shield floor: ${settings.shield}`,
      ...(settings.readOnly ? ['read-only'] : []),
      ...(settings.sessionMaxMicroUsd !== undefined ? [`max spend ${money(settings.sessionMaxMicroUsd)} this session`] : []),
      ...(settings.dailyMaxMicroUsd !== undefined ? [`max spend ${money(settings.dailyMaxMicroUsd)} per UTC day`] : []),
      ...(allowListings ? [`listings: ${[...allowListings.values()].join(', ')}`] : []),
      `receipts kept in ${settings.receipts ?? trail.log.dir ?? 'nowhere'}`,
    ];
    return { front, client, summary: parts.join('; ') };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

function unreachable(where: string, what: string, error: unknown): CliError {
  const failure = toCliError(error);
  return new CliError('gateway_unreachable', `cannot start: ${what} (${where}): ${failure.message}`, ExitCode.failure, 'check --gateway / PROXYGATE_GATEWAY_URL and the network, then start again');
}

/** The USD flags as integer micro-USD (exact; a usage error otherwise). */
export async function usdSetting(flag: string, text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseUsdFlag } = await import('../money.js');
  const micro = await parseUsdFlag(flag, text);
  if (micro === 0) throw new UsageError(`--${flag} 0 would refuse every paid call`, 'use --read-only instead');
  return micro;
}

