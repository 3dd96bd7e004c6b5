import type { PaidReceiptVerdict, ReceiptEvent, ReceiptHook, TrailEntry } from '@proxygate-kit/sdk';
import type { KeySet, KeySetDocument, Receipt } from '@proxygate-kit/sdk/receipts';
import type { GatewayClient } from '../client.js';
import { checkedKeys } from '../checked-keys.js';
import { loadReceiptsSdk } from '../sdk-loader.js';
import { fetchKeyMaterial } from './key-material.js';
import { syncPin } from './pin-sync.js';
import { readPin, type KeyPin } from './pins.js';
import { ReceiptLog } from './receipt-log.js';

/**
 * The audit trail of one command's paid calls: the keys receipts are verified against (`--keys`,
 * else the profile's pin for this gateway, pinned on first use), a key change settled the way SSH
 * settles a changed host key (taken in only when a pinned key endorses it, else reported loudly
 * and left to `receipts keys trust`), and every receipt kept (`ReceiptLog`). Used by `call`,
 * `mcp call` and, later, `mcp serve`.
 */
export interface TrailOptions {
  profile: string;
  gatewayUrl: string;
  /** False with `--no-keep`. */
  keep: boolean;
  /** `--receipts FILE`. */
  receiptsFile?: string | undefined;
  /** `--keys FILE` (or PROXYGATE_RECEIPT_KEYS when set), loaded: overrides the pin, never changes it. */
  explicitKeys?: (() => Promise<KeySet>) | undefined;
  /** Human notes (stderr). */
  note: (text: string) => void;
  /** A client of the gateway, for reading its keys (first use, rotation). */
  client: () => Promise<GatewayClient>;
}

/** A receipt signed by a key the pin does not hold, and why it was not taken in. */
export interface KeyChange {
  requestId: string | null;
  message: string;
}

export interface KeptReceipt {
  verdict: PaidReceiptVerdict;
  files: string[];
}

export class ReceiptTrail {
  #keys: KeySet | undefined;
  #pin: KeyPin | undefined;
  readonly #kept = new Map<string, KeptReceipt>();
  readonly #changes: KeyChange[] = [];
  /** Reading the keys for a first pin failed once: not tried again in this run. */
  #pinFailed = false;

  private constructor(
    private readonly options: TrailOptions,
    readonly log: ReceiptLog,
    keys: KeySet | undefined,
    pin: KeyPin | undefined,
    /** True when the keys came from `--keys`: the pin is neither read nor changed. */
    readonly explicitKeys: boolean,
  ) {
    this.#keys = keys;
    this.#pin = pin;
  }

  /**
   * Checks that receipts can be kept, then finds the keys: `--keys`, else the profile's pin of
   * this gateway. Without a pin the call goes out unverified, and its first receipt pins the
   * gateway's keys (said once on stderr) and is verified against them: a call refused before
   * anything is charged pins nothing.
   */
  static async open(options: TrailOptions): Promise<ReceiptTrail> {
    const log = await ReceiptLog.open({ profile: options.profile, keep: options.keep, file: options.receiptsFile });
    if (options.explicitKeys) return new ReceiptTrail(options, log, await options.explicitKeys(), undefined, true);
    const pin = await readPin(options.profile, options.gatewayUrl);
    return new ReceiptTrail(options, log, pin ? await keySetOf(pin.keys) : undefined, pin, false);
  }

  /** The keys paid calls verify against (undefined: none could be had). */
  get keys(): KeySet | undefined {
    return this.#keys;
  }

  /** Receipts signed by keys the pin does not hold (not taken in). */
  get keyChanges(): readonly KeyChange[] {
    return this.#changes;
  }

  /** What became of a receipt: its final verdict (after a rotation) and where it was kept. */
  kept(rawReceipt: string): KeptReceipt | undefined {
    return this.#kept.get(rawReceipt);
  }

  /** The SDK hook: settle a key change, then keep the receipt. Awaited before the call returns. */
  readonly onReceipt: ReceiptHook = async (event: ReceiptEvent) => {
    await this.record(event, (keys) => event.reverify(keys));
  };

  /**
   * Keeps one receipt: the verdict is first settled against a key change (an endorsed rotation
   * verifies it again with the new keys), then the line is written.
   */
  async record(entry: TrailEntry & { receipt?: Receipt | null }, reverify: (keys: KeySet) => Promise<PaidReceiptVerdict>): Promise<KeptReceipt> {
    const verdict = await this.#settleKeyChange(entry, reverify);
    const files = await this.log.keep({ ...entry, verdict });
    const kept = { verdict, files };
    this.#kept.set(entry.rawReceipt, kept);
    return kept;
  }

  async #settleKeyChange(entry: TrailEntry & { receipt?: Receipt | null }, reverify: (keys: KeySet) => Promise<PaidReceiptVerdict>): Promise<PaidReceiptVerdict> {
    const { verdict } = entry;
    if (this.explicitKeys) return verdict;
    if (!this.#pin) return this.#firstUse(verdict, reverify);
    // A client made before the pin (a long-lived one, e.g. `mcp serve`) verifies with none: the trail does.
    if (verdict.reason === 'no_keys' && this.#keys) return reverify(this.#keys);
    if (!isKeyProblem(verdict, entry.receipt ?? verdict.receipt ?? null)) return verdict;
    const gateway = origin(this.options.gatewayUrl);
    let material;
    try {
      material = await fetchKeyMaterial(await this.options.client());
    } catch (error) {
      return this.#unknown(entry, verdict, `and the gateway's current keys could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
    const sync = await syncPin(this.options.profile, this.options.gatewayUrl, material, this.options.note);
    if (sync.status === 'same') {
      return this.#unknown(entry, verdict, `and ${gateway} still serves the pinned keys: the receipt is not signed by any of them`);
    }
    if (sync.status === 'differs') {
      const why = material.source === 'key_set' ? `the key set ${gateway} now serves is not taken in: ${sync.reason}` : `the keys ${gateway} now gives in GET /health changed, which nothing can endorse`;
      return this.#unknown(entry, verdict, `and ${why} (${sync.changes.join('; ')})`);
    }
    // An endorsed rotation (or a pin made meanwhile): verify again with the keys now pinned.
    return this.#adopt(sync.pin, reverify);
  }

  /** The first receipt from a gateway without a pin: pin its keys now, then verify against them. */
  async #firstUse(verdict: PaidReceiptVerdict, reverify: (keys: KeySet) => Promise<PaidReceiptVerdict>): Promise<PaidReceiptVerdict> {
    if (this.#pinFailed) return verdict;
    try {
      const material = await fetchKeyMaterial(await this.options.client());
      const sync = await syncPin(this.options.profile, this.options.gatewayUrl, material, this.options.note);
      return await this.#adopt(sync.pin, reverify);
    } catch (error) {
      this.#pinFailed = true;
      const why = error instanceof Error ? error.message : String(error);
      this.options.note(`warning: could not read the receipt keys of ${origin(this.options.gatewayUrl)} (${why}); the receipt is kept unverified: "proxygate receipts keys trust" pins the keys`);
      return verdict;
    }
  }

  async #adopt(pin: KeyPin, reverify: (keys: KeySet) => Promise<PaidReceiptVerdict>): Promise<PaidReceiptVerdict> {
    this.#pin = pin;
    this.#keys = await keySetOf(pin.keys);
    return reverify(this.#keys);
  }

  #unknown(entry: TrailEntry, verdict: PaidReceiptVerdict, why: string): PaidReceiptVerdict {
    const message = `signed by a key this profile's pin does not know (${verdict.reason}${verdict.field ? ` on ${verdict.field}` : ''}), ${why}; nothing was added to the pin`;
    this.#changes.push({ requestId: entry.call.requestId, message });
    return { ...verdict, message: `${verdict.message}; ${message}` } as PaidReceiptVerdict;
  }
}

/**
 * A verdict that may mean "signed by a key the pin does not hold": an unknown kid (v3, or no
 * v1/v2 key pinned), a v1 signature that fails under the pinned platform key, a v2 certificate
 * of another CA. Anything else (tampering, a window missed) is not a key change.
 */
export function isKeyProblem(verdict: PaidReceiptVerdict, receipt: Receipt | null): boolean {
  if (verdict.reason === 'unknown_key') return true;
  const version = receipt?.receipt_version ?? (receipt ? 1 : undefined);
  if (version === 1 && verdict.reason === 'bad_signature') return true;
  return version === 2 && verdict.reason === 'delegation_invalid' && verdict.field === 'delegation.receipt_ca_pubkey';
}

export async function keySetOf(document: KeySetDocument): Promise<KeySet> {
  const { KeySet } = await loadReceiptsSdk();
  const checked = checkedKeys();
  return KeySet.fromDocument(document, checked ? { checkedKeys: checked } : {});
}

function origin(gatewayUrl: string): string {
  return new URL(gatewayUrl).origin;
}

