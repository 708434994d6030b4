/**
 * What a username looks like, for telling apart names that only look
 * different to a machine: "ɑlice" (a Latin alpha) and "аlice" (a Cyrillic a)
 * read as "alice". Two names with the same skeleton cannot both be
 * registered. After the idea of Unicode's confusable skeletons (UTS #39),
 * with a table of the look-alikes of Latin letters and digits in the scripts
 * a name may be written in (Latin, Cyrillic, Greek); the input is NFKC
 * already, which folds full-width and other compatibility forms.
 */

/** Characters drawn like a Latin letter or digit, and that letter (in lower case). */
const LOOK_ALIKES: Record<string, string> = {
  // Latin letters that are not ASCII
  'ɑ': 'a', 'ɐ': 'a', 'ı': 'i', 'ɩ': 'i', 'ȷ': 'j', 'ℓ': 'l', 'ǀ': 'l', 'ɡ': 'g', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'i', 'ʟ': 'l',
  'ɴ': 'n', 'ᴏ': 'o', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z', 'ß': 'b', 'ſ': 'f',
  // Cyrillic
  'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'ӏ': 'l', 'м': 'm', 'н': 'h',
  'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'т': 't', 'у': 'y', 'ԝ': 'w', 'х': 'x', 'с': 'c', 'ԁ': 'd', 'ь': 'b', 'п': 'n',
  // Greek
  'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x',
  'γ': 'y', 'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
  // Digits and signs drawn like letters
  '0': 'o', '1': 'l', '|': 'l',
};

/** Upper-case letters are compared as drawn: a capital I is a stroke, like l. */
const CAPITALS: Record<string, string> = { I: 'l', 'І': 'l', 'Ι': 'l', 'Ӏ': 'l' };

/** Letter pairs that read as one letter. */
const PAIRS: Array<[RegExp, string]> = [[/rn/g, 'm'], [/vv/g, 'w'], [/cl/g, 'd']];

export function usernameSkeleton(nfkcName: string): string {
  let skeleton = '';
  for (const char of nfkcName) {
    const capital = CAPITALS[char];
    const lower = capital ?? char.toLowerCase();
    skeleton += LOOK_ALIKES[lower] ?? lower;
  }
  // Separators look alike too: "a.lice", "a_lice" and "a-lice" are one name to the eye.
  skeleton = skeleton.replace(/[._-]+/g, '.');
  for (const [pair, letter] of PAIRS) skeleton = skeleton.replace(pair, letter);
  return skeleton;
}
