export {
  SHIELD_ACTIONS,
  SHIELD_HEADERS,
  SHIELD_MODES,
  SHIELD_SURCHARGE_MICRO_USD,
  formatScore,
  isShieldAction,
  isShieldMode,
  parseFlags,
  parseScoreBp,
  parseShieldHeaders,
  shieldFromEvent,
  shieldFromSigned,
  shieldMismatch,
} from './verdict.js';
export type { ShieldAction, ShieldFlag, ShieldMode, ShieldVerdict, SignedShield } from './verdict.js';
export { asUntrusted } from './untrusted.js';
export type { AsUntrustedOptions, UntrustedContent, UntrustedSource } from './untrusted.js';
