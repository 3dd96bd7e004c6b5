export { VERSION } from './version.js';
export {
  Proxygate,
  Proxygate as default,
  DEFAULT_GATEWAY_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type APIResponse,
  type ClientOptions,
  type Fetch,
  type FetchOptions,
  type HeadersInit,
  type HttpMethod,
  type KeySetLike,
  type QueryValue,
  type RequestOptions,
  type ShortcutOptions,
} from './core/client.js';
export {
  ProxygateError,
  APIError,
  BadRequestError,
  AuthenticationError,
  InsufficientCreditsError,
  PermissionDeniedError,
  InsufficientScopeError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  ShieldBlockedError,
  RateLimitError,
  InternalServerError,
  ConnectionError,
  TimeoutError,
  UserAbortError,
  ValidationError,
  InvalidJsonError,
  SpendLimitError,
  PaidCallOutcomeUnknownError,
  InvalidRequestError,
  RedirectRefusedError,
  type Claim,
  type PaidCallRecord,
  type PaidCallRecovery,
  type SignedBlock,
  type ValidationIssue,
} from './core/error.js';
export {
  ExtensionNotSupportedError,
  NO_EXTENSIONS,
  DEFAULT_RECEIPT_KEYS_URL,
  type ExtensionFeature,
  type GatewayExtensions,
} from './core/extensions.js';
export { Page, PagePromise, type CursorBody, type ListBody, type PageRequest } from './core/pagination.js';
export { APIPromise, type WithResponse } from './core/api-promise.js';
export type { Middleware, MiddlewareContext, Next } from './core/middleware.js';
export type { Logger, LogLevel } from './internal/log.js';
export type { Model, ValidationMode } from './internal/validate.js';
export { path } from './internal/path.js';
export { redactText } from './internal/redact.js';
export type { CallOptions } from './resources/resource.js';
export type { CatalogListParams, ListingSort, PricingParams, ServicesParams, CategoriesParams, Catalog } from './resources/catalog.js';
export type { UsageListParams, RateParams, Account } from './resources/account.js';
export type { TokenCreateParams, TokenListParams, Tokens } from './resources/tokens.js';
export type { ReceiptLogParams, ReceiptsLog } from './resources/receipts-log.js';
export type { HealthKeyMaterial, Meta, ReceiptKeysDocument } from './resources/meta.js';
export type {
  Balance,
  CatalogListing,
  CatalogPage,
  CategoriesPage,
  Category,
  CreatedToken,
  Health,
  HealthExtensions,
  KeySetDocument,
  Listing,
  ListingDocs,
  ListingEndpoint,
  ListingEndpointPrice,
  Me,
  PricingPage,
  RateResult,
  ReceiptLogBody,
  ReceiptLogEntry,
  ReceiptLogHead,
  Scope,
  ServicePricing,
  ServicesPage,
  ServiceStats,
  Subcategory,
  TokenInfo,
  UsagePage,
  UsageRow,
  UsageSummaryEntry,
  WalletLimits,
} from './resources/models.js';
export type { components, paths, operations } from './generated/openapi.js';
export * from './money.js';
export { listingPrices, callPrice, type ListingPrices, type PriceSet, type EndpointPrice, type CallPrice } from './lib/prices.js';
export { AmbiguousListingError, type ListingCandidate } from './resources/listing-lookup.js';
// Paid calls (built by the paid-calls module on the client's request pipeline) and shield verdicts.
export { MaxCostExceededError, UnboundedCostError, LISTING_TTL_MS } from './resources/calls/index.js';
export type {
  BodySchema,
  Calls,
  CallStream,
  CallFunction,
  CallResult,
  CallResultBase,
  ParsedCallResult,
  UnparsedCallResult,
  CallQuery,
  ListingRef,
  PaidCallOptions,
  PaidCallErrorDetails,
  ShieldBlockedDetails,
  StreamOutcome,
} from './resources/calls/index.js';
export type { ServerSentEvent } from './core/streaming.js';
// The onReceipt hook of paid calls (an audit trail with one option) and the trail line format.
export { ReceiptHookError, receiptTextOf, receiptTrailLine, type ReceiptCallDetails, type ReceiptEvent, type ReceiptHook, type TrailEntry } from './resources/calls/index.js';
export { noKeysVerdict, type NoKeysVerdict, type PaidReceiptVerdict } from './resources/calls/index.js';
export { receiptAmount } from './receipts/amount.js';
export * from './shield/index.js';
