export { Gateway, DEMO_ACCOUNT_ID, BROKE_ACCOUNT_ID, DEMO_BALANCE_MICRO_CENTS } from './gateway.js';
export type {
  AuthContext,
  CallInput,
  CallResult,
  CreateTokenBody,
  DemoTokenSecrets,
  GatewayOptions,
  ListApisParams,
  ReceiptLogPage,
  UsageParams,
} from './gateway.js';
export { GatewayError } from './errors.js';
export type { ErrorBody, GatewayErrorCode } from './errors.js';
export type { Page, PageParams } from './pagination.js';
export type { TokenRecord } from './tokens.js';
export * from './types.js';
