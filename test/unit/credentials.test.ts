import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAcceptablePassword, isValidUsername, normalizeUsername } from '../../src/server/auth/credentials.ts';
import { COMMON_PASSWORDS_TEXT } from '../../src/server/auth/common-passwords.ts';

test('the common-password list is shipped: thousands of entries, all long enough to matter', () => {
  const list = COMMON_PASSWORDS_TEXT.split('\n');
  assert.ok(list.length >= 3000, `${list.length} entries`);
  assert.ok(list.every((p) => Array.from(p).length >= 8));
  for (const password of ['password', '12345678', 'iloveyou', 'qwertyuiop', 'football', 'sunshine', 'princess', 'trustno1']) {
    assert.equal(isAcceptablePassword(password), false, password);
  }
  // Entries from deep in the list are refused too, and case does not help.
  for (const password of list.slice(-50)) assert.equal(isAcceptablePassword(password.toUpperCase()), false, password);
});

test('passwords: at least 8 and at most 128 code points, no composition rules, no truncation', () => {
  assert.equal(isAcceptablePassword('seven77'), false);
  assert.equal(isAcceptablePassword('eight888x'), true);
  assert.equal(isAcceptablePassword('all lower case words'), true, 'no composition rule');
  assert.equal(isAcceptablePassword('🔑'.repeat(128)), true, '128 emoji are 128 code points');
  assert.equal(isAcceptablePassword('x'.repeat(129)), false);
});

test('usernames: NFKC, letters and digits of one script, no invisible or bidi characters', () => {
  assert.equal(normalizeUsername('ｆｕｌｌｗｉｄｔｈ'), 'fullwidth');
  for (const name of ['alice', 'Анна', 'Ελένη', 'user_1.dev-x', '李小龙']) assert.equal(isValidUsername(normalizeUsername(name)), true, name);
  const invisible = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u202A', '\u202E', '\u2066', '\u2069', '\u0000', ' '];
  for (const char of invisible) assert.equal(isValidUsername(normalizeUsername(`ali${char}ce`)), false, JSON.stringify(char));
  assert.equal(isValidUsername('\u0430dmin'), false, 'Cyrillic а among Latin letters');
  assert.equal(isValidUsername('pаypal'), false);
  assert.equal(isValidUsername('<script>'), false);
  assert.equal(isValidUsername('ab'), false);
  assert.equal(isValidUsername('a'.repeat(33)), false);
});
