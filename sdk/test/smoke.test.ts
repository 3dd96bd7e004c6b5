import { expect, test } from 'vitest';
import { VERSION } from '@proxygate-kit/sdk';

test('the sdk resolves to its sources in tests', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
});
