// @proxygate-kit/sdk/mcp: the only entry that imports @modelcontextprotocol/sdk (an optional peer).
export { connectGateway } from './connect-gateway.js';
export { GatewayMcpClient } from './gateway-client.js';
export type { CallApiResult, CallVerdict, ConnectGatewayOptions, PinMode, PinOptions } from './options.js';
export {
  AuthorizationRequiredError,
  McpLimitError,
  McpProtocolError,
  OAuthFlowError,
  ReceiptVerificationError,
  ToolPinMismatchError,
  UnsafeUrlError,
} from './errors.js';
export type { McpLimitName } from './errors.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { McpLimits } from './limits.js';
export type { GatewayOAuthProvider } from './oauth-session.js';
export { verifyCallReceipt } from './receipt-check.js';
export type { CallReceiptVerdict, CalledTool, ReceiptClaims, ReceiptExpectations } from './receipt-check.js';
export { computeToolPins, diffToolPins, isEmptyDiff, parseToolPinSet, pinTool } from './tool-pinning.js';
export type { PinnableTool, ToolPinDiff, ToolPinSet } from './tool-pinning.js';
export { toDataBlock } from './data-block.js';
export type { DataBlock, DataBlockOptions, ToolResultLike } from './data-block.js';
export { GATEWAY_TOOL_NAMES, TOOL_SCHEMAS, TOOL_SCOPES } from './tool-schemas.js';
// A local MCP server fronting the gateway (the CLI's `mcp serve`) refuses what a token cannot do the SDK's way.
export { hasScope } from '../internal/scopes.js';
export type {
  BrowseApisParams,
  BrowseApisResult,
  CallApiParams,
  CallApiToolOutput,
  CheckBalanceResult,
  DescribeEndpointParams,
  DescribeEndpointResult,
  GatewayToolName,
  GetPricingParams,
  GetPricingResult,
  GetUsageParams,
  GetUsageResult,
  RateSellerParams,
  RateSellerResult,
} from './tool-schemas.js';
