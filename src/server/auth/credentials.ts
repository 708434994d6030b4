/** Rules for usernames and passwords, checked before anything is stored or hashed. */
import { COMMON_PASSWORDS_TEXT } from './common-passwords.ts';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS } from '../../shared/limits.ts';

/**
 * Letters and digits of any script plus `.`, `_` and `-`. This excludes
 * spaces, control, zero-width and bidi characters, so a name cannot be made
 * to look like another one by invisible characters.
 */
const USERNAME_PATTERN = /^[\p{L}\p{N}._-]+$/u;

/**
 * Refused whatever their length: the leaked-password list, plus a few local
 * favourites (Russian keyboard runs) it does not have.
 */
const COMMON_PASSWORDS = new Set([
  ...COMMON_PASSWORDS_TEXT.split('\n'),
  'йцукенгш', 'йцукенгшщз', 'пароль123', 'пароль1234', 'qwertyйцукен',
]);

const codePoints = (s: string) => Array.from(s).length;

export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** Scripts whose letters look alike; a name may use letters of only one of them. */
const CONFUSABLE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];

/**
 * Mixing Latin, Cyrillic and Greek letters in one name is how "аdmin" (with
 * a Cyrillic "а") passes for "admin", so it is refused. A name written wholly
 * in one script is allowed, even if it resembles a name in another.
 */
function mixesConfusableScripts(username: string): boolean {
  return CONFUSABLE_SCRIPTS.filter((script) => script.test(username)).length > 1;
}

export function isValidUsername(username: string): boolean {
  const length = codePoints(username);
  return length >= USERNAME_MIN_CHARS && length <= USERNAME_MAX_CHARS && USERNAME_PATTERN.test(username) && !mixesConfusableScripts(username);
}

/** No composition rules and no truncation (ASVS 6.2): length and a deny list. */
export function isAcceptablePassword(password: string): boolean {
  const length = codePoints(password);
  if (length < PASSWORD_MIN_CHARS || length > PASSWORD_MAX_CHARS) return false;
  return !COMMON_PASSWORDS.has(password.toLowerCase());
}
