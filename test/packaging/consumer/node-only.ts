// A Node service without the DOM lib: pins the gateway's key set and verifies receipts, in a
// worker pool too. Compiled with lib checking on by ../consumer-types.test.ts. (The MCP entry is
// left out: @modelcontextprotocol/sdk's own declarations name DOM types such as HeadersInit.)
import Proxygate from '@proxygate-kit/sdk';
import { KeySet, verifyReceipt, type Verdict } from '@proxygate-kit/sdk/receipts';
import { createVerifierPool } from '@proxygate-kit/sdk/receipts/node';

export async function verifyOne(receipt: string): Promise<Verdict> {
  const pg = new Proxygate({ gatewayUrl: 'https://gateway.example' });
  const keys = KeySet.fromDocument(await pg.meta.receiptKeys());
  const verdict = await verifyReceipt(receipt, { keys });
  await createVerifierPool(keys).close();
  return verdict;
}
