// A seeded randomized run of paid calls against the in-process mock, in both profiles, with
// faults before and after the charge on any attempt: 5xx, connection reset, body cut off,
// malformed JSON, latency beyond the timeout, 429. Checked from the mock's ledger and what the
// caller received:
// - no double charge: extended, one charge per idempotency key; public, no automatic re-send of a
//   call that may have been charged (only a 429 rate limit is sent again);
// - no lost receipt: every charge's receipt reached the caller in a result or an error, after at
//   most the one recovery step the error names (`replay`: the same key again). On the public wire
//   a receipt travels only in the answer, so when the answer itself is lost after the charge the
//   caller must get `PaidCallOutcomeUnknownError` ("check_usage") for that call, never silence.
// Timeouts fire through the client's `schedule` hook and retries skip their waits: nothing sleeps.
// The figures are printed once per profile (calls, sends, charges, recoveries, lost).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FaultKind, LedgerEntry } from '@proxygate-kit/server-mock';
import { PaidCallOutcomeUnknownError, type ProxygateError } from '../../src/core/error.js';
import { decodeReceiptHeader } from '../../src/receipts/parse.js';
import type { Fetch } from '../../src/index.js';
import { PROFILES, startMock, type Profile } from './mock.js';

const CALLS = Number(process.env['FAULT_RUN_CALLS'] ?? 1000);
const SEED = process.env['FAULT_RUN_SEED'] ?? 'issue-11';

/** mulberry32 over a string seed: the same seed replays the same run. */
function prng(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state ^ char.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = Exclude<FaultKind, 'latency'> | 'stall';
interface PlannedFault {
  kind: Kind;
  phase: 'before' | 'after';
  status?: number;
}

interface Planned {
  ref: string;
  path: string;
  stream: boolean;
  options: { method?: string; body?: unknown; query?: Record<string, string>; shield?: 'off' | 'monitor' | 'strict' };
  /** The fault of each attempt, in order (attempts past the list run clean). */
  faults: PlannedFault[];
}

const KINDS: readonly Kind[] = ['server_error', 'reset', 'truncate', 'malformed_json', 'stall', 'rate_limit'];

function plan(random: () => number, index: number): Planned {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const roll = random();
  let call: Omit<Planned, 'faults'>;
  if (roll < 0.35) call = { ref: 'echo', path: '/echo', stream: false, options: { query: { n: String(index) } } };
  else if (roll < 0.5) call = { ref: 'echo', path: '/echo', stream: false, options: { method: 'POST', body: { n: index }, shield: 'off' } };
  else if (roll < 0.65) call = { ref: 'weather-current', path: '/current', stream: false, options: { query: { city: pick(['Oslo', 'Rome', 'Lima']) } } };
  else if (roll < 0.77) call = { ref: 'product-reviews', path: '/reviews', stream: false, options: {} };
  else if (roll < 0.89) call = { ref: 'product-reviews', path: '/reviews', stream: false, options: { shield: 'strict' } };
  else if (roll < 0.97) call = { ref: 'translate-text', path: '/translate', stream: false, options: { body: { text: random() < 0.8 ? 'hi' : '' } } };
  else call = { ref: 'llm-stream', path: '/chat', stream: true, options: { body: { prompt: `p${index}` } } };
  const faults: PlannedFault[] = [];
  const count = random() < 0.2 ? 0 : random() < 0.75 ? 1 : 2;
  for (let n = 0; n < count; n++) {
    const kind = pick(KINDS);
    // A rate limit refuses before processing by definition; after the charge it would be a lie.
    const phase = kind === 'rate_limit' ? 'before' : random() < 0.5 ? 'before' : 'after';
    faults.push({ kind, phase, ...(kind === 'server_error' ? { status: pick([500, 502, 503]) } : {}) });
  }
  return { ...call, faults };
}

interface Figures {
  calls: number;
  faults: number;
  sends: number;
  charges: number;
  refunds: number;
  doubleCharges: number;
  resentAfterPossibleCharge: number;
  receiptsDelivered: number;
  recoveredByReplay: number;
  lostReceipts: number;
  answerLostAfterCharge: number;
  successes: number;
  errors: Record<string, number>;
}

/** Request ids of every receipt the caller holds: a result, an error's receipt or refund receipt, a raw header. */
function receiptIds(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as { receipt?: unknown; refundReceipt?: unknown; rawReceipt?: unknown; requestId?: unknown };
  const ids = new Set<string>();
  for (const receipt of [record.receipt, record.refundReceipt]) {
    const id = (receipt as { request_id?: unknown } | null | undefined)?.request_id;
    if (typeof id === 'string') ids.add(id);
  }
  if (typeof record.rawReceipt === 'string') {
    try {
      ids.add(decodeReceiptHeader(record.rawReceipt).request_id);
    } catch {
      // not a receipt
    }
  }
  return [...ids];
}

async function run(profile: Profile): Promise<Figures> {
  const harness = startMock(`fault-run-${profile}`, { profile });
  try {
    const random = prng(`${SEED}:${profile}`);
    const armed = new Set<() => void>();
    const fireTimeouts = (): void => {
      const due = [...armed];
      armed.clear();
      for (const fire of due) fire();
    };
    let current: Planned | undefined;
    let attempt = 0;
    const sends: { status: number | null; fault: PlannedFault | undefined }[] = [];

    const fetch: Fetch = async (input, init) => {
      const url = new URL(String(input));
      if (!url.pathname.startsWith('/proxy/') || !current) return globalThis.fetch(input, init);
      const fault = current.faults[attempt++];
      const signal = init?.signal ?? undefined;
      const stall = (): Promise<Response> =>
        new Promise<Response>((_resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          // The latency outlasts the attempt's timeout: fire it now instead of waiting.
          queueMicrotask(fireTimeouts);
        });
      const send = { status: null as number | null, fault };
      sends.push(send);
      if (fault?.kind === 'stall') {
        if (fault.phase === 'after') {
          // The gateway processes (and charges) the call; its answer comes too late.
          const late = await globalThis.fetch(input, init);
          await late.arrayBuffer().catch(() => undefined);
        }
        return stall();
      }
      if (fault) harness.mock.faults.inject({ kind: fault.kind, phase: fault.phase, path: '/proxy/', times: 1, retryAfter: 0, ...(fault.status ? { status: fault.status } : {}) });
      try {
        const response = await globalThis.fetch(input, init);
        send.status = response.status;
        return response;
      } finally {
        harness.mock.faults.clear();
      }
    };

    const client = harness.client({ fetch, maxRetries: 2 });
    Object.defineProperty(client, 'sleep', { value: () => Promise.resolve() });
    Object.defineProperty(client, 'schedule', {
      value: (_ms: number, fire: () => void) => {
        armed.add(fire);
        return () => armed.delete(fire);
      },
    });

    const figures: Figures = {
      calls: 0, faults: 0, sends: 0, charges: 0, refunds: 0, doubleCharges: 0, resentAfterPossibleCharge: 0,
      receiptsDelivered: 0, recoveredByReplay: 0, lostReceipts: 0, answerLostAfterCharge: 0, successes: 0, errors: {},
    };
    const chargesByKey = new Map<string, number>();

    for (let index = 0; index < CALLS; index++) {
      const planned = plan(random, index);
      if (process.env["FAULT_RUN_TRACE"]) console.info(index, JSON.stringify(planned));
      current = planned;
      attempt = 0;
      sends.length = 0;
      const ledgerBefore = harness.mock.ledger().length;
      const delivered = new Set<string>();
      let failure: ProxygateError | undefined;
      const options = { ...planned.options };
      try {
        if (planned.stream) {
          const stream = await client.calls.stream(planned.ref, planned.path, options);
          for (const id of receiptIds(await stream.finished())) delivered.add(id);
        } else {
          const result = await client.call(planned.ref, planned.path, options);
          for (const id of receiptIds(result)) delivered.add(id);
        }
        figures.successes++;
      } catch (error) {
        failure = error as ProxygateError;
        figures.errors[failure.name] = (figures.errors[failure.name] ?? 0) + 1;
        for (const id of receiptIds(error)) delivered.add(id);
      }
      figures.sends += sends.length;
      figures.faults += Math.min(planned.faults.length, sends.length);

      // The caller follows the one recovery step the error names (no faults this time).
      if (failure?.recovery === 'replay') {
        current = { ...planned, faults: [] };
        attempt = 0;
        expect(failure.idempotencyKey).toBeTruthy();
        const again = { ...options, idempotencyKey: failure.idempotencyKey! };
        try {
          if (planned.stream) {
            const stream = await client.calls.stream(planned.ref, planned.path, again);
            for (const id of receiptIds(await stream.finished())) delivered.add(id);
          } else {
            for (const id of receiptIds(await client.call(planned.ref, planned.path, again))) delivered.add(id);
          }
        } catch (error) {
          if (process.env['FAULT_RUN_TRACE']) console.info('recovery failed', index, (error as Error).name, (error as Error).message);
          for (const id of receiptIds(error)) delivered.add(id);
        }
        figures.recoveredByReplay++;
      }
      current = undefined;

      const entries: LedgerEntry[] = harness.mock.ledger().slice(ledgerBefore);
      const charges = entries.filter((entry) => entry.kind === 'charge');
      figures.charges += charges.length;
      figures.refunds += entries.length - charges.length;
      if (profile === 'extended') {
        for (const charge of charges) {
          expect(charge.idempotency_key, 'every paid call carries a key').not.toBeNull();
          chargesByKey.set(charge.idempotency_key!, (chargesByKey.get(charge.idempotency_key!) ?? 0) + 1);
        }
      } else {
        if (charges.length > 1) figures.doubleCharges += charges.length - 1;
        // Only a 429 rate limit proves a send was not processed: any other send must be the last.
        figures.resentAfterPossibleCharge += sends.slice(0, -1).filter((send) => send.status !== 429).length;
      }
      for (const charge of charges) {
        if (delivered.has(charge.request_id)) {
          figures.receiptsDelivered++;
        } else if (profile === 'public' && failure instanceof PaidCallOutcomeUnknownError && failure.recovery === 'check_usage') {
          // The answer that carried the receipt was lost after the charge, and the caller was told so.
          figures.answerLostAfterCharge++;
        } else {
          figures.lostReceipts++;
          if (process.env['FAULT_RUN_TRACE']) console.info('lost', index, JSON.stringify(planned), failure?.name, failure?.message, failure?.recovery, [...delivered], charge.request_id);
        }
      }
      figures.calls++;
    }
    for (const count of chargesByKey.values()) if (count > 1) figures.doubleCharges += count - 1;
    return figures;
  } finally {
    harness.close();
  }
}

describe.each(PROFILES)('seeded fault run (%s profile)', (profile) => {
  let figures: Figures;
  beforeAll(async () => {
    figures = await run(profile);
    console.info(`fault run ${profile} (seed ${SEED}): ${JSON.stringify(figures)}`);
  }, 120_000);
  afterAll(() => undefined);

  test(`${CALLS} paid calls with faults before and after the charge`, () => {
    expect(figures.calls).toBe(CALLS);
    expect(figures.faults).toBeGreaterThan(CALLS / 2);
    expect(figures.charges).toBeGreaterThan(CALLS / 2);
  });

  test('no double charge', () => {
    expect(figures.doubleCharges).toBe(0);
    expect(figures.resentAfterPossibleCharge).toBe(0);
  });

  test('no lost receipt', () => {
    expect(figures.lostReceipts).toBe(0);
    if (profile === 'extended') {
      expect(figures.answerLostAfterCharge).toBe(0);
      expect(figures.receiptsDelivered).toBe(figures.charges);
    } else {
      expect(figures.receiptsDelivered + figures.answerLostAfterCharge).toBe(figures.charges);
    }
  });
});
