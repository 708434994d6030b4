/** Rules for usernames and passwords, checked before anything is stored or hashed. */
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS } from '../../shared/limits.js';

/**
 * Letters and digits of any script plus `.`, `_` and `-`. This excludes
 * spaces, control, zero-width and bidi characters, so a name cannot be made
 * to look like another one by invisible characters.
 */
const USERNAME_PATTERN = /^[\p{L}\p{N}._-]+$/u;

/** A few of the most common passwords; rejected whatever their length. */
const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password12', 'password123', 'password1234', '12345678', '123456789', '1234567890',
  'qwertyuiop', 'qwerty123', 'qwerty1234', '11111111', '00000000', 'iloveyou', 'iloveyou1', 'sunshine1',
  'princess1', 'football1', 'baseball1', 'welcome1', 'welcome123', 'letmein1', 'abc12345', 'abcd1234',
  'admin123', 'administrator', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'trustno1', 'changeme', 'superman1',
  '1q2w3e4r', '1q2w3e4r5t', 'zaq12wsx', 'qazwsxedc', 'asdfghjkl', 'monkey123', 'dragon123', 'master123',
  'йцукенгш', 'пароль123', 'qwertyui', '87654321', '12341234', '123123123', 'aaaaaaaa', 'computer',
]);

const codePoints = (s: string) => Array.from(s).length;

export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim();
}

export function isValidUsername(username: string): boolean {
  const length = codePoints(username);
  return length >= USERNAME_MIN_CHARS && length <= USERNAME_MAX_CHARS && USERNAME_PATTERN.test(username);
}

/** No composition rules and no truncation (ASVS 6.2): length and a deny list. */
export function isAcceptablePassword(password: string): boolean {
  const length = codePoints(password);
  if (length < PASSWORD_MIN_CHARS || length > PASSWORD_MAX_CHARS) return false;
  return !COMMON_PASSWORDS.has(password.toLowerCase());
}
