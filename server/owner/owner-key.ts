import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of randomness in an owner key (128 bits, 22 base64url characters). */
const OWNER_KEY_BYTES = 16;

/** A new owner key: shown once, in the answer to `POST /api/rooms`; only its hash is stored. */
export function generateOwnerKey(): string {
  return randomBytes(OWNER_KEY_BYTES).toString('base64url');
}

/** SHA-256 of a key, base64url: what `rooms.owner_key_hash` holds. A key of 128 random bits needs no salt or stretching. */
export function hashOwnerKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** True when `key` is the key whose hash is `hash` (compared in constant time); false when either is missing. */
export function ownerKeyMatches(key: string | undefined, hash: string | undefined): boolean {
  if (!key || !hash || key.length > 256) return false;
  const given = Buffer.from(hashOwnerKey(key));
  const stored = Buffer.from(hash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}
