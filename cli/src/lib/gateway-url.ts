import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';
import { UsageError } from './errors.js';

/** Where a gateway URL came from (`--gateway`, `PROXYGATE_GATEWAY_URL`, `profile "x"`) and what it says. */
export type GatewayCandidate = readonly [from: string, value: string | undefined];

/**
 * The gateway every command talks to: the first candidate set (`--gateway` > PROXYGATE_GATEWAY_URL
 * > the profile's > the default), without trailing slashes. An empty value is unset; a blank one
 * (`PROXYGATE_GATEWAY_URL=" "`) is a mistake, refused rather than falling through to the default
 * gateway with the key; anything but http(s) is refused here, not as the SDK's "not a URL".
 */
export function chooseGateway(candidates: readonly GatewayCandidate[]): string {
  for (const [from, value] of candidates) {
    if (value === undefined || value === '') continue;
    const url = value.trim().replace(/\/+$/, '');
    if (url === '') throw new UsageError(`the gateway URL from ${from} is blank`, `unset it, or give an http(s) URL (e.g. ${DEFAULT_GATEWAY_URL})`);
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new UsageError(`the gateway URL "${url}" from ${from} is not an http(s) URL`, `e.g. ${DEFAULT_GATEWAY_URL} or http://127.0.0.1:8080`);
    }
    return url;
  }
  return DEFAULT_GATEWAY_URL;
}
