// A verifier pool whose worker dies must not leave later verifications pending forever (a CI
// audit awaiting them would hang, or exit early with nothing reported once the loop empties).
import { describe, expect, it, vi } from 'vitest';

// Workers that die on their first batch, as a worker killed by the OS or out of memory would.
vi.mock('node:worker_threads', async () => {
  const { EventEmitter } = await import('node:events');
  class DyingWorker extends EventEmitter {
    unref(): void {}
    dead = false;
    postMessage(): void {
      // A dead worker drops messages silently, as a terminated Node worker does.
      if (this.dead) return;
      this.dead = true;
      setImmediate(() => {
        this.emit('error', new Error('worker killed'));
        this.emit('exit', 1);
      });
    }
    terminate(): Promise<number> {
      return Promise.resolve(1);
    }
  }
  return { Worker: DyingWorker };
});

const { createVerifierPool } = await import('../../src/receipts/pool.js');
const { KeySet } = await import('../../src/receipts/index.js');
const { docKey, keyDocument, makeKey, signV3, baseV3 } = await import('./signer.js');

describe('verifier pool after its workers die', () => {
  it('rejects the batch in flight and every later verification instead of hanging', async () => {
    const key = makeKey('k1');
    const keys = KeySet.fromDocument(keyDocument([docKey(key)]));
    const pool = createVerifierPool(keys, { size: 2, batchSize: 1 });
    const receipt = signV3(key, baseV3());
    // A verification left pending would fail this test by its timeout; no clock races it here.
    // One worker dies per batch: each of the first two calls loses its worker, the third has none.
    await expect(pool.verify(receipt)).rejects.toThrow('receipt verifier worker failed: worker killed');
    await expect(pool.verify(receipt)).rejects.toThrow('receipt verifier worker failed: worker killed');
    await expect(pool.verify(receipt)).rejects.toThrow('every receipt verifier worker has died');
    await pool.close();
  });
});
