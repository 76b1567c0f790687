import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';

/** What a token lets its bearer do. `*` grants everything; `owner` is edit plus the owner's actions on its room (`docs/owner.md`). */
export const tokenRole = z.enum(['edit', 'view', 'create', 'owner', '*']);
export type TokenRole = z.infer<typeof tokenRole>;

const claims = z.object({
  /** The room id (edit or view id) the token is for, or `*` for every room. */
  room: z.string().min(1).max(64),
  role: tokenRole,
  exp: z.number(),
  /** Who the token was issued to; history records it as the author of their changes. */
  sub: z.string().max(200).optional(),
});

/** A verified token. */
export interface Grant {
  room: string;
  role: TokenRole;
  /** Expiry in ms since the epoch. */
  expiresAt: number;
  /** The token's `sub` claim, when it has one. */
  subject?: string;
}

/** Why a token was refused: missing, malformed, badly signed or expired (401), or not for this (403). */
export class TokenRefusal extends Error {
  constructor(
    readonly kind: 'unauthorized' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

/** Checks tokens against the configured key; absent when auth is off. */
export interface TokenVerifier {
  verify(token: string | undefined): Promise<Grant>;
}

/** How tokens are signed: `AUTH_JWT_SECRET` (HS256) or `AUTH_JWT_PUBLIC_KEY` (RS256 or ES256, PEM). */
export interface TokenKeyOptions {
  secret?: string;
  publicKey?: string;
}

/** A verifier for the configured key, or `undefined` when neither secret nor public key is set. */
export function createTokenVerifier(options: TokenKeyOptions): TokenVerifier | undefined {
  let key: Uint8Array | KeyObject;
  let algorithms: string[];
  if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ['HS256'];
  } else if (options.publicKey) {
    key = createPublicKey(options.publicKey);
    algorithms = ['RS256', 'ES256'];
  } else {
    return undefined;
  }
  return {
    async verify(token) {
      if (!token) throw new TokenRefusal('unauthorized', 'a token is required');
      try {
        const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims: ['exp'] });
        const parsed = claims.safeParse(payload);
        if (!parsed.success) throw new TokenRefusal('unauthorized', 'the token lacks the room, role or exp claim');
        return { room: parsed.data.room, role: parsed.data.role, expiresAt: parsed.data.exp * 1000, ...(parsed.data.sub ? { subject: parsed.data.sub } : {}) };
      } catch (error) {
        if (error instanceof TokenRefusal) throw error;
        if (error instanceof errors.JWTExpired) throw new TokenRefusal('unauthorized', 'the token has expired');
        throw new TokenRefusal('unauthorized', 'the token is invalid');
      }
    },
  };
}

/**
 * Whether a grant covers `role` on the room reached through `roomId` or
 * `viewId`. An `owner` grant covers edit and view of its room too; `*`
 * covers everything, `owner` included.
 */
export function grantAllows(grant: Grant, role: 'edit' | 'view' | 'create' | 'owner', room?: { roomId: string; viewId?: string }): boolean {
  const roleOk =
    grant.role === role ||
    grant.role === '*' ||
    (role === 'view' && grant.role === 'edit') ||
    (grant.role === 'owner' && (role === 'edit' || role === 'view'));
  if (!roleOk) return false;
  if (role === 'create' || grant.room === '*') return true;
  return room !== undefined && (grant.room === room.roomId || grant.room === room.viewId);
}
