// ReceiptHookError lives with the other paid-call errors (resources/calls/errors.ts); the public
// entry and the calls index hand out that one class.
import { describe, expect, it } from 'vitest';
import * as sdk from '../../src/index.js';
import * as calls from '../../src/resources/calls/index.js';
import * as errors from '../../src/resources/calls/errors.js';

describe('ReceiptHookError exports', () => {
  it('is one class, from the calls errors module, on every public path', () => {
    expect(errors.ReceiptHookError).toBeTypeOf('function');
    expect(sdk.ReceiptHookError).toBe(errors.ReceiptHookError);
    expect(calls.ReceiptHookError).toBe(errors.ReceiptHookError);
    const error = new sdk.ReceiptHookError([new Error('disk full')], { body: 'kept' }, 'req_1');
    expect(error).toBeInstanceOf(sdk.ProxygateError);
    expect(error.code).toBe('receipt_hook_failed');
    expect(error.message).toContain('Error: disk full');
  });
});
