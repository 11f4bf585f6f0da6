/**
 * Secrets (the CAPF authentication string) compared in time that tells nothing about them: `===` returns
 * at the first differing character, so the time of a refusal leaks how much of a guess was right. Both are
 * hashed with SHA-256 first, because timingSafeEqual needs inputs of equal length and the digests always are
 * (32 bytes), so the lengths do not leak either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function equalSecrets(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
