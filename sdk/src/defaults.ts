// `@proxygate-kit/sdk/defaults`: values the SDK and the tools built on it share, defined once.
// Nothing is imported here, so the CLI reads them at start-up without loading the client.

/** The public gateway's origin: where a client goes when neither an option nor `PROXYGATE_GATEWAY_URL` says otherwise. */
export const DEFAULT_GATEWAY_URL = 'https://gateway.proxygate.ai';
