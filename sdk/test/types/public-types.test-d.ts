// Compile-only: the SDK's public types as a new app developer meets them in strict TypeScript.
// Checked by the sdk typecheck (`tsc -p sdk/tsconfig.json`, part of `npm test`); nothing here runs.
// Each block pins a fix of issue 14: receiptKeys() is typed, ShieldBlockedError declares what it
// carries, Verdict narrows, cost is one type, `keys` takes key sets only, KeySetError is a
// ProxygateError with closed codes.
import { expectTypeOf } from 'vitest';
import Proxygate, {
  ProxygateError,
  ShieldBlockedError,
  type CallResult,
  type KeySetLike,
  type PaidCallErrorDetails,
  type PaidReceiptVerdict,
  type ReceiptCallDetails,
  type ReceiptKeysDocument,
  type ShieldVerdict,
  type StreamOutcome,
} from '@proxygate-kit/sdk';
import type { CallReceiptVerdict } from '@proxygate-kit/sdk/mcp';
import {
  KeySet,
  KeySetError,
  verifyReceipt,
  type KeySetDocument,
  type KeySetErrorCode,
  type ReasonCode,
  type Receipt,
  type ReceiptTime,
  type Verdict,
} from '@proxygate-kit/sdk/receipts';

declare const pg: Proxygate;

export async function receiptKeysAreTyped(): Promise<void> {
  // The README's first step compiles as written: no cast from `unknown`.
  const document = await pg.meta.receiptKeys();
  expectTypeOf(document).toEqualTypeOf<ReceiptKeysDocument>();
  expectTypeOf(document).toExtend<KeySetDocument>();
  expectTypeOf(KeySet.fromDocument(document)).toEqualTypeOf<KeySet>();
  // ... and pins the client as it is.
  const pinned = new Proxygate({ keys: document });
  expectTypeOf(pinned.keys).toEqualTypeOf<KeySetLike | undefined>();
}

export function keysTakeKeySetsOnly(keySet: KeySet, document: KeySetDocument, json: string, bytes: Uint8Array): void {
  new Proxygate({ keys: keySet });
  new Proxygate({ keys: document });
  new Proxygate({ keys: json });
  new Proxygate({ keys: bytes });
  // @ts-expect-error not a key set: an arbitrary object no longer passes for one
  new Proxygate({ keys: { url: 'https://gateway.example/keys' } });
  // @ts-expect-error not a key set
  new Proxygate({ keys: 42 });
}

export function keySetErrorIsAProxygateError(error: KeySetError): void {
  expectTypeOf(error).toExtend<ProxygateError>();
  expectTypeOf(error.code).toEqualTypeOf<KeySetErrorCode>();
  expectTypeOf<KeySetErrorCode>().toEqualTypeOf<'malformed_key_set' | 'invalid_public_key' | 'duplicate_kid'>();
  expectTypeOf(error.field).toEqualTypeOf<string>();
  // @ts-expect-error the codes are closed
  const other: KeySetErrorCode = 'network_error';
  void other;
}

export function shieldBlockedErrorDeclaresWhatItCarries(error: ShieldBlockedError): void {
  expectTypeOf(error.rawReceipt).toEqualTypeOf<string | null>();
  expectTypeOf(error.receipt).toEqualTypeOf<Receipt | null>();
  expectTypeOf(error.receiptVerdict).toEqualTypeOf<PaidReceiptVerdict | null>();
  expectTypeOf(error.refundReceipt).toEqualTypeOf<Receipt | null>();
  expectTypeOf(error.refundReceiptVerdict).toEqualTypeOf<PaidReceiptVerdict | null>();
  expectTypeOf(error.receiptVerified).toEqualTypeOf<boolean>();
  expectTypeOf(error.shield).toEqualTypeOf<ShieldVerdict | null>();
  expectTypeOf(error.cost).toEqualTypeOf<bigint | null>();
  expectTypeOf(error.refunded).toEqualTypeOf<{ readonly value: boolean; readonly verified: boolean }>();
  // Every paid-call error field is there, with the same types.
  expectTypeOf(error).toExtend<PaidCallErrorDetails>();
}

export async function verdictsNarrow(keys: KeySet, input: string): Promise<void> {
  const verdict = await verifyReceipt(input, { keys });
  expectTypeOf(verdict).toEqualTypeOf<Verdict>();
  if (verdict.valid) {
    expectTypeOf(verdict.reason).toEqualTypeOf<'valid'>();
    expectTypeOf(verdict.receipt).toEqualTypeOf<Receipt>();
    expectTypeOf(verdict.field).toEqualTypeOf<undefined>();
  } else {
    expectTypeOf(verdict.reason).toEqualTypeOf<ReasonCode>();
    expectTypeOf(verdict.receipt).toEqualTypeOf<Receipt | undefined>();
    expectTypeOf(verdict.field).toEqualTypeOf<string | undefined>();
  }
  expectTypeOf(verdict.time).toEqualTypeOf<ReceiptTime | undefined>();
  // Narrowing on reason works the same way.
  if (verdict.reason === 'valid') expectTypeOf(verdict.valid).toEqualTypeOf<true>();
  else expectTypeOf(verdict.valid).toEqualTypeOf<false>();
}

export function paidVerdictsNarrow(verdict: PaidReceiptVerdict): void {
  if (verdict.valid) {
    expectTypeOf(verdict.receipt).toEqualTypeOf<Receipt>();
    return;
  }
  if (verdict.reason === 'no_keys') {
    expectTypeOf(verdict.message).toEqualTypeOf<string>();
    return;
  }
  expectTypeOf(verdict.reason).toEqualTypeOf<ReasonCode>();
}

export function mcpVerdictsNarrow(verdict: CallReceiptVerdict): void {
  if (verdict.valid) {
    expectTypeOf(verdict.receipt).toEqualTypeOf<Receipt>();
    expectTypeOf(verdict.shield).toEqualTypeOf<ShieldVerdict | null>();
  } else {
    expectTypeOf(verdict.shield).toEqualTypeOf<null>();
  }
}

export function costIsOneType(result: CallResult, outcome: StreamOutcome, details: PaidCallErrorDetails, call: ReceiptCallDetails): void {
  expectTypeOf(result.cost).toEqualTypeOf<bigint | null>();
  expectTypeOf(outcome.cost).toEqualTypeOf<bigint | null>();
  expectTypeOf(details.cost).toEqualTypeOf<bigint | null>();
  expectTypeOf(call.cost).toEqualTypeOf<bigint | null>();
  // Sums without a type test in between.
  const total = [result, outcome].reduce((sum, r) => sum + (r.cost ?? 0n), 0n);
  expectTypeOf(total).toEqualTypeOf<bigint>();
}

export function pagePromisesArePromises(): void {
  // As openai-node's: a list call is a Promise of its first page where one is expected.
  const first: Promise<unknown> = pg.catalog.list({});
  const later: () => Promise<unknown> = () => pg.account.usage({});
  void first;
  void later;
}

interface AppFetchOptions {
  cache?: RequestCache;
  keepalive?: boolean;
}

export function optionsTakeWhatAppsHave(options: AppFetchOptions, team: string | undefined): void {
  // fetchOptions typed with an interface (no index signature), and runtime extras as literals.
  void new Proxygate({ fetchOptions: options });
  void new Proxygate({ fetchOptions: { keepalive: true, dispatcher: {} } });
  // A paid call's headers: null removes one, undefined is as if not given (exactOptionalPropertyTypes).
  void pg.call('echo', '/echo', { headers: { 'x-team': team, 'user-agent': null } });
  // @ts-expect-error a header value is text
  void pg.call('echo', '/echo', { headers: { 'x-count': 3 } });
}

interface Weather {
  temperature: number;
}

export async function aDamagedBodyIsNotTheTypeAskedFor(): Promise<void> {
  const result = await pg.call<Weather>('skycast/weather-current', '/current', { query: { city: 'Oslo' } });
  expectTypeOf(result.body).toEqualTypeOf<Weather | string>();
  // @ts-expect-error until bodyParseError is checked the body may be the damaged text
  void result.body.temperature;
  if (result.bodyParseError === null) expectTypeOf(result.body).toEqualTypeOf<Weather>();
  else expectTypeOf(result.body).toEqualTypeOf<string>();
  // A schema checks the body: its result is parsed (a damaged body rejects with InvalidJsonError).
  const checked = await pg.call('skycast/weather-current', '/current', { schema: { parse: (value: unknown) => value as Weather } });
  expectTypeOf(checked.body).toEqualTypeOf<Weather>();
  expectTypeOf(checked.bodyParseError).toEqualTypeOf<null>();
}
