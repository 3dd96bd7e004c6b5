import { echo, GatewayError, validationError } from './errors.js';
import type { TokenRecord } from './tokens.js';
import { OUR_SCOPES, type OurScope } from './profile.js';

/** `POST /v1/tokens` body as received (validated here). */
export interface CreateTokenBody {
  name?: unknown;
  scopes?: unknown;
  spend_cap_micro_usd?: unknown;
  expires_at?: unknown;
  listings?: unknown;
}

export interface NarrowedChild {
  name: string | null;
  scopes: OurScope[];
  spendCap: number | null;
  expiresAt: Date;
  listings: string[] | null;
}

export interface NarrowingContext {
  now: Date;
  /** The parent's tightest remaining cap along its chain (null: uncapped). */
  parentRemainingCap: number | null;
  /** Listing id for an id or slug, undefined when unknown. */
  listingId(idOrSlug: string): string | undefined;
  traceId(): string;
}

/** Delegation tokens need an `exp`: without one asked for, 30 days (or the parent's expiry if sooner). */
export const DEFAULT_DELEGATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

// The public gateway's scope names map onto ours.
const SCOPE_ALIASES: Record<string, OurScope> = { proxy: 'trade', 'balance:read': 'account:read', 'usage:read': 'account:read' };

export function parseTimestamp(raw: string, name: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(raw) ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw validationError(`${name} must be an RFC 3339 timestamp`);
  return date;
}

function normalizeScopes(raw: unknown): OurScope[] {
  if (!Array.isArray(raw) || raw.length === 0) throw validationError('scopes must be a non-empty array');
  const scopes = new Set<OurScope>();
  for (const item of raw) {
    const scope = typeof item === 'string' ? (OUR_SCOPES.includes(item as OurScope) ? (item as OurScope) : SCOPE_ALIASES[item]) : undefined;
    if (!scope) throw validationError(`unknown scope ${echo(item, 60)}`);
    scopes.add(scope);
  }
  return OUR_SCOPES.filter((scope) => scopes.has(scope));
}

/**
 * Validates a mint request against its parent: a child can only narrow (scopes subset, cap at most
 * the parent's remaining cap, expiry no later, listings subset). Omitted limits inherit the
 * parent's. Throws 400 `validation_error`, or `scope_escalation` for a scope the parent lacks.
 */
export function narrowChild(parent: TokenRecord, body: CreateTokenBody, ctx: NarrowingContext): NarrowedChild {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationError('the body must be a JSON object');
  const name = body.name ?? null;
  if (name !== null && (typeof name !== 'string' || name.length > 100)) throw validationError('name must be a string of at most 100 characters');

  const scopes = normalizeScopes(body.scopes);
  const escalated = scopes.filter((scope) => !(parent.scopes as readonly string[]).includes(scope));
  if (escalated.length > 0) {
    throw new GatewayError(400, {
      error: 'scope_escalation',
      message: `A child token cannot hold scopes its parent lacks: ${escalated.join(', ')}.`,
      scopes: escalated,
      trace_id: ctx.traceId(),
    });
  }

  let spendCap = ctx.parentRemainingCap;
  const requestedCap = body.spend_cap_micro_usd;
  if (requestedCap !== undefined && requestedCap !== null) {
    if (typeof requestedCap !== 'number' || !Number.isSafeInteger(requestedCap) || requestedCap < 0) {
      throw validationError('spend_cap_micro_usd must be a non-negative safe integer');
    }
    if (ctx.parentRemainingCap !== null && requestedCap > ctx.parentRemainingCap) {
      throw validationError(`spend_cap_micro_usd exceeds the parent's remaining cap (${ctx.parentRemainingCap})`);
    }
    spendCap = requestedCap;
  }

  const defaultExpiry = new Date(ctx.now.getTime() + DEFAULT_DELEGATION_TTL_MS);
  let expiresAt = parent.expiresAt && parent.expiresAt < defaultExpiry ? parent.expiresAt : defaultExpiry;
  if (body.expires_at !== undefined && body.expires_at !== null) {
    if (typeof body.expires_at !== 'string') throw validationError('expires_at must be an RFC 3339 timestamp');
    const requested = parseTimestamp(body.expires_at, 'expires_at');
    if (requested <= ctx.now) throw validationError('expires_at must be in the future');
    if (parent.expiresAt && requested > parent.expiresAt) throw validationError("expires_at is later than the parent's expiry");
    expiresAt = requested;
  }

  let listings: string[] | null = parent.listings ? [...parent.listings] : null;
  if (body.listings !== undefined && body.listings !== null) {
    if (!Array.isArray(body.listings)) throw validationError('listings must be an array of listing ids');
    const ids: string[] = [];
    for (const item of body.listings) {
      const id = typeof item === 'string' ? ctx.listingId(item) : undefined;
      if (!id) throw validationError(`unknown listing ${echo(item)}`);
      if (parent.listings && !parent.listings.includes(id)) throw validationError(`listing ${id} is not allowed for the parent token`);
      if (!ids.includes(id)) ids.push(id);
    }
    listings = ids;
  }

  return { name, scopes, spendCap, expiresAt, listings };
}
