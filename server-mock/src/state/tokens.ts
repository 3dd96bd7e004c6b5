import { Ed25519Key, verifyEd25519 } from '../crypto/ed25519.js';
import { sha256Hex, toBase64Url } from '../crypto/hash.js';
import type { SeedDerivation } from './derive.js';
import type { ReceiptVersion, Scope, TokenInfo } from './types.js';

export interface TokenRecord {
  id: string;
  accountId: string;
  name: string | null;
  type: 'api_key' | 'delegation';
  scopes: Scope[];
  parentId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  spendCap: number | null;
  spent: number;
  listings: string[] | null;
  /** Receipt version for this token's calls; null follows the gateway default. */
  receiptVersion: ReceiptVersion | null;
  /** SHA-256 of the secret: the secret itself is never stored. */
  secretHash: string;
}

export type TokenLookup =
  | { ok: true; token: TokenRecord }
  | { ok: false; reason: 'invalid_token' | 'token_expired' | 'token_revoked' };

const JWT_HEADER = toBase64Url(new TextEncoder().encode(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: 'proxygate-mock-tokens' })));

export function tokenInfo(token: TokenRecord): TokenInfo {
  return {
    id: token.id,
    name: token.name,
    type: token.type,
    scopes: [...token.scopes],
    parent_id: token.parentId,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt ? token.expiresAt.toISOString() : null,
    revoked_at: token.revokedAt ? token.revokedAt.toISOString() : null,
    spend_cap_micro_usd: token.spendCap,
    spent_micro_usd: token.spent,
    listings: token.listings ? [...token.listings] : null,
  };
}

/** Token records, secrets (api keys and JWT-shaped delegation tokens) and their lookup. */
export class TokenStore {
  private readonly byId = new Map<string, TokenRecord>();
  private readonly byHash = new Map<string, TokenRecord>();
  private readonly signer: Ed25519Key;
  private counter = 0;

  constructor(private readonly derive: SeedDerivation) {
    this.signer = new Ed25519Key(derive.bytes('delegation-token-key'));
  }

  get(id: string): TokenRecord | undefined {
    return this.byId.get(id);
  }

  all(): TokenRecord[] {
    return [...this.byId.values()];
  }

  private nextId(): string {
    return this.derive.id('tok_', `token:${++this.counter}`);
  }

  private store(record: TokenRecord, secret: string): void {
    record.secretHash = sha256Hex(secret);
    this.byId.set(record.id, record);
    this.byHash.set(record.secretHash, record);
  }

  createApiKey(fields: Omit<TokenRecord, 'id' | 'type' | 'secretHash' | 'parentId'>): { token: TokenRecord; secret: string } {
    const id = this.nextId();
    const secret = `pg_live_${this.derive.base62(`api-key-secret:${id}`, 32)}`;
    const token: TokenRecord = { ...fields, id, type: 'api_key', parentId: null, secretHash: '' };
    this.store(token, secret);
    return { token, secret };
  }

  /**
   * Mints a `pg_del_<JWT>` signed with the mock's token key; `expiresAt` is required (JWT `exp`),
   * `subject` (the account's wallet) is the `sub` claim.
   */
  createDelegation(
    fields: Omit<TokenRecord, 'id' | 'type' | 'secretHash' | 'expiresAt'> & { expiresAt: Date },
    subject: string,
  ): { token: TokenRecord; secret: string } {
    const id = this.nextId();
    const claims = {
      sub: subject,
      scopes: fields.scopes,
      jti: id,
      iat: Math.floor(fields.createdAt.getTime() / 1000),
      exp: Math.floor(fields.expiresAt.getTime() / 1000),
    };
    const payload = toBase64Url(new TextEncoder().encode(JSON.stringify(claims)));
    const signature = toBase64Url(this.signer.sign(`${JWT_HEADER}.${payload}`));
    const secret = `pg_del_${JWT_HEADER}.${payload}.${signature}`;
    const token: TokenRecord = { ...fields, id, type: 'delegation', secretHash: '' };
    this.store(token, secret);
    return { token, secret };
  }

  /** Finds the token for a presented secret and judges it at `now`. */
  lookup(secret: string, now: Date): TokenLookup {
    if (secret.startsWith('pg_del_') && !this.delegationSignatureValid(secret.slice('pg_del_'.length))) {
      return { ok: false, reason: 'invalid_token' };
    }
    const token = this.byHash.get(sha256Hex(secret));
    if (!token) return { ok: false, reason: 'invalid_token' };
    if (this.revokedInChain(token)) return { ok: false, reason: 'token_revoked' };
    if (token.expiresAt && token.expiresAt <= now) return { ok: false, reason: 'token_expired' };
    return { ok: true, token };
  }

  private delegationSignatureValid(jwt: string): boolean {
    const parts = jwt.split('.');
    if (parts.length !== 3) return false;
    const [header, payload, signature] = parts as [string, string, string];
    try {
      return verifyEd25519(this.signer.publicKey, `${header}.${payload}`, Buffer.from(signature, 'base64url'));
    } catch {
      return false;
    }
  }

  private revokedInChain(token: TokenRecord): boolean {
    for (let current: TokenRecord | undefined = token; current; current = current.parentId ? this.byId.get(current.parentId) : undefined) {
      if (current.revokedAt) return true;
    }
    return false;
  }

  /** The token and its ancestors, nearest first. */
  chain(token: TokenRecord): TokenRecord[] {
    const out: TokenRecord[] = [];
    for (let current: TokenRecord | undefined = token; current; current = current.parentId ? this.byId.get(current.parentId) : undefined) {
      out.push(current);
    }
    return out;
  }

  descendants(token: TokenRecord): TokenRecord[] {
    const out: TokenRecord[] = [];
    const queue = [token.id];
    while (queue.length > 0) {
      const parentId = queue.shift();
      for (const candidate of this.byId.values()) {
        if (candidate.parentId === parentId) {
          out.push(candidate);
          queue.push(candidate.id);
        }
      }
    }
    return out;
  }

  /** Tokens a token may see and manage: an api key sees its account, a delegation its subtree. */
  visible(token: TokenRecord): TokenRecord[] {
    if (token.type === 'api_key') return this.all().filter((candidate) => candidate.accountId === token.accountId);
    return [token, ...this.descendants(token)];
  }

  /** The ids of `visible(token)`. */
  visibleIds(token: TokenRecord): Set<string> {
    return new Set(this.visible(token).map((candidate) => candidate.id));
  }
}
