import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';
import { UsageError } from './errors.js';

/**
 * The ports fetch refuses to connect to (https://fetch.spec.whatwg.org/#bad-port; undici, Node's
 * fetch, has the same list).
 */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115,
  117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587,
  601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669,
  6679, 6697, 10080,
]);

/**
 * Before anything is sent to `url` (`what`, set by `from`; by default the gateway URL): a port fetch refuses is a configuration
 * error, said in one line. Unchecked, oclif's path fails with fetch's bare "bad port" (a connection
 * error, exit 1) while the data path (node:http, which has no such list) would reach a gateway that
 * the SDK in any other program cannot. Only where requests are made: offline commands (receipts
 * verify with the gateway's pin) may name such a URL.
 */
export function refuseFetchBadPort(url: string, what = 'the gateway URL', from = "--gateway, PROXYGATE_GATEWAY_URL or the profile's"): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // not a URL: the SDK says so in its own words
  }
  if (!parsed.port || !FETCH_BAD_PORTS.has(Number(parsed.port))) return;
  // Shown without user and password, in case a secret was put there.
  parsed.username = '';
  parsed.password = '';
  throw new UsageError(
    `${what} "${parsed.href.replace(/\/+$/, '')}" (${from}) uses port ${parsed.port}, which fetch refuses (a "bad port", kept for other protocols); nothing was sent`,
    `serve the gateway on another port, e.g. http://127.0.0.1:8080`,
  );
}

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
