// Explicit command discovery: oclif loads this one module instead of scanning directories.
// Command modules are thin and import the SDK lazily, so loading all of them stays cheap.
import Api from './commands/api.js';
import Help from './commands/help.js';
import Login from './commands/login.js';
import Logout from './commands/logout.js';
import Whoami from './commands/whoami.js';

export const COMMANDS = {
  api: Api,
  help: Help,
  login: Login,
  logout: Logout,
  whoami: Whoami,
};
