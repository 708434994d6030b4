/*
 * Blank text. A module of its own, without the protocol's schemas, so a page
 * that only checks a name (the guest page) does not load zod.
 */

/**
 * Characters that draw nothing: spaces, format and control characters
 * (zero-width joiners, bidi marks), combining marks on their own, and the
 * letters that are blank by design (Hangul fillers, the blank Braille
 * pattern, the Mongolian vowel separator).
 */
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{Cc}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800\u180E]/gu;

/** Whether a text shows anything at all: a message of invisible characters only is blank. */
export function isBlank(text: string): boolean {
  return text.replace(INVISIBLE, '').length === 0;
}
