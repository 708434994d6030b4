import { createHash, randomBytes } from 'node:crypto';

/** A 128-bit random id from the CSPRNG, as 22 base64url characters (ASVS 11.5.1). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** A 256-bit secret token, as 43 base64url characters. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
