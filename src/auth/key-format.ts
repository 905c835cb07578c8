import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The shape of Uplift's API keys, checked before any database lookup (as GitHub's tokens are):
 * `upl_` + 32 random base62 characters + 6 base62 characters of the CRC32 of everything before
 * them. A random string, a typo or a truncated key fails the checksum and costs nothing.
 * Keys issued before the checksum (`upl_` + 32 base64url characters, 24 random bytes) still
 * pass, as the legacy shape.
 */
export const KEY_PREFIX = 'upl_';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CURRENT_SHAPE = /^upl_[0-9A-Za-z]{38}$/;
const LEGACY_SHAPE = /^upl_[A-Za-z0-9_-]{32}$/;
/** How much of a secret's random part `keyPrefix` shows. */
export const SHOWN_RANDOM_CHARS = 8;
/** The shortest admin key an operator may configure. */
export const MIN_ADMIN_KEY_LENGTH = 32;

function base62(value: number, width: number): string {
  let out = '';
  for (let rest = value; out.length < width; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

/** A new key: 32 base62 characters drawn without bias (bytes >= 248 are redrawn), about 190 bits. */
export function generateKey(): string {
  let random = '';
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(RANDOM_LENGTH)) {
      if (byte < 248 && random.length < RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  const body = KEY_PREFIX + random;
  return body + checksum(body);
}

export type KeyShape = 'current' | 'legacy';

/** Which of Uplift's key shapes `token` has (the checksum included), or null: then no lookup is worth it. */
export function keyShape(token: string): KeyShape | null {
  if (token.length === KEY_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH && CURRENT_SHAPE.test(token)) {
    const body = token.slice(0, -CHECKSUM_LENGTH);
    return checksum(body) === token.slice(-CHECKSUM_LENGTH) ? 'current' : null;
  }
  return LEGACY_SHAPE.test(token) ? 'legacy' : null;
}

/**
 * What is shown to recognise a key: `upl_` and the first 8 characters of the random part for
 * Uplift's keys, the first 8 characters of an operator's own admin key (at least 32 long).
 */
export function keyPrefix(secret: string): string {
  if (keyShape(secret) !== null) return secret.slice(0, KEY_PREFIX.length + SHOWN_RANDOM_CHARS);
  return secret.slice(0, Math.min(SHOWN_RANDOM_CHARS, Math.floor(secret.length / 4)));
}
