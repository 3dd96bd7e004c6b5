// Explicit command discovery: oclif loads this one module instead of scanning directories.
// Command modules are thin and import the SDK lazily, so loading all of them stays cheap.
import Api from './commands/api.js';
import Apis from './commands/apis/index.js';
import ApisDocs from './commands/apis/docs.js';
import ApisShow from './commands/apis/show.js';
import Balance from './commands/balance.js';
import Call from './commands/call.js';
import Categories from './commands/categories.js';
import Help from './commands/help.js';
import Login from './commands/login.js';
import Logout from './commands/logout.js';
import McpCall from './commands/mcp/call.js';
import McpConfig from './commands/mcp/config.js';
import McpPin from './commands/mcp/pin.js';
import McpServe from './commands/mcp/serve.js';
import McpTools from './commands/mcp/tools.js';
import Pricing from './commands/pricing.js';
import Rate from './commands/rate.js';
import ReceiptsAudit from './commands/receipts/audit.js';
import ReceiptsAuditMerge from './commands/receipts/audit/merge.js';
import ReceiptsKeysExport from './commands/receipts/keys/export.js';
import ReceiptsKeysForget from './commands/receipts/keys/forget.js';
import ReceiptsKeysShow from './commands/receipts/keys/show.js';
import ReceiptsKeysTrust from './commands/receipts/keys/trust.js';
import ReceiptsLog from './commands/receipts/log.js';
import ReceiptsPath from './commands/receipts/path.js';
import ReceiptsVerify from './commands/receipts/verify.js';
import Services from './commands/services.js';
import TokensCreate from './commands/tokens/create.js';
import TokensList from './commands/tokens/list.js';
import TokensRevoke from './commands/tokens/revoke.js';
import Usage from './commands/usage.js';
import Version from './commands/version.js';
import Whoami from './commands/whoami.js';

export const COMMANDS = {
  api: Api,
  apis: Apis,
  'apis:docs': ApisDocs,
  'apis:show': ApisShow,
  balance: Balance,
  call: Call,
  categories: Categories,
  help: Help,
  login: Login,
  logout: Logout,
  'mcp:call': McpCall,
  'mcp:config': McpConfig,
  'mcp:pin': McpPin,
  'mcp:serve': McpServe,
  'mcp:tools': McpTools,
  pricing: Pricing,
  rate: Rate,
  'receipts:audit': ReceiptsAudit,
  'receipts:audit:merge': ReceiptsAuditMerge,
  'receipts:keys:export': ReceiptsKeysExport,
  'receipts:keys:forget': ReceiptsKeysForget,
  'receipts:keys:show': ReceiptsKeysShow,
  'receipts:keys:trust': ReceiptsKeysTrust,
  'receipts:log': ReceiptsLog,
  'receipts:path': ReceiptsPath,
  'receipts:verify': ReceiptsVerify,
  services: Services,
  'tokens:create': TokensCreate,
  'tokens:list': TokensList,
  'tokens:revoke': TokensRevoke,
  usage: Usage,
  version: Version,
  whoami: Whoami,
};
