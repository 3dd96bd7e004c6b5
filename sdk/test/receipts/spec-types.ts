// Compile-time drift check (run by `tsc -p sdk/tsconfig.json`, part of npm test): the receipts
// module keeps its own hand-written types so it stays independent of the generated client, but
// they must name exactly the spec's fields, and accept everything the spec allows.
import type { components } from '../../src/generated/openapi.js';
import type { KeySetDocument, KeySetDocumentKey } from '../../src/receipts/key-set.js';
import type { DelegationV2, ReceiptV1, ReceiptV2, ReceiptV3 } from '../../src/receipts/types.js';

type Schemas = components['schemas'];
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Accepts<Ours, Spec> = [Spec] extends [Ours] ? true : false;
type Assert<T extends true> = T;

export type ReceiptTypesFollowTheSpec = [
  Assert<SameKeys<ReceiptV1, Schemas['ReceiptV1']>>,
  Assert<SameKeys<ReceiptV2, Schemas['ReceiptV2']>>,
  Assert<SameKeys<DelegationV2, Schemas['ReceiptV2']['delegation']>>,
  Assert<SameKeys<ReceiptV3, Schemas['ReceiptV3']>>,
  Assert<SameKeys<ReceiptV3['shield'], Schemas['ReceiptV3']['shield']>>,
  Assert<SameKeys<KeySetDocumentKey, Schemas['ReceiptKey']>>,
  Assert<SameKeys<KeySetDocument, Schemas['KeySet']>>,
  Assert<Accepts<ReceiptV1, Schemas['ReceiptV1']>>,
  Assert<Accepts<ReceiptV2, Schemas['ReceiptV2']>>,
  Assert<Accepts<ReceiptV3, Schemas['ReceiptV3']>>,
  Assert<Accepts<KeySetDocument, Schemas['KeySet']>>,
];
