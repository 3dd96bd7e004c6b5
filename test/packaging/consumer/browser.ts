// A browser or edge project (DOM lib, no @types/node): the main, receipts and mcp entries type-check
// without Node's types.
import { Proxygate, APIError, type Balance } from '@proxygate-kit/sdk';
import { KeySet, verifyReceipt, type Verdict } from '@proxygate-kit/sdk/receipts';
import { connectGateway } from '@proxygate-kit/sdk/mcp';

export async function inThePage(apiKey: string, keySetJson: string, receiptHeader: string): Promise<[Balance, Verdict]> {
  const client = new Proxygate({ apiKey, fetch: (input, init) => fetch(input, init) });
  try {
    const balance = await client.account.balance();
    const verdict = await verifyReceipt(atob(receiptHeader), { keys: KeySet.fromDocument(keySetJson), backend: 'webcrypto' });
    return [balance, verdict];
  } catch (error) {
    if (error instanceof APIError) document.title = `HTTP ${error.status ?? '?'}`;
    throw error;
  }
}

export const mcp = connectGateway;
