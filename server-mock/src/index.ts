export * from './state/index.js';
export { FaultInjector, FAULT_KINDS } from './faults.js';
export type { Fault, FaultKind, FaultPhase, FaultSpec } from './faults.js';
export { scan, formatScore, SHIELD_RULES, BLOCK_THRESHOLD_BP } from './scanner/index.js';
export type { ShieldAction, ShieldFlag, ShieldMode, ShieldVerdict } from './scanner/index.js';
