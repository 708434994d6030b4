import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { en } from '../../src/shared/i18n/en.ts';
import { ru } from '../../src/shared/i18n/ru.ts';
import { negotiateLanguage, translate } from '../../src/shared/i18n/index.ts';

test('both catalogues have the same keys and the same placeholders', () => {
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en) as Array<keyof typeof en>) {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    assert.deepEqual(placeholders(ru[key]), placeholders(en[key]), key);
  }
});

test('every {{t:key}} used by a page or a shared piece exists in the catalogue', () => {
  const files = readdirSync('public/pages', { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.html'));
  assert.ok(files.includes('partials/head.html'));
  for (const file of files) {
    const html = readFileSync(`public/pages/${file}`, 'utf8');
    for (const [, key] of html.matchAll(/\{\{t:([\w.-]+)\}\}/g)) assert.ok(key! in en, `${file}: ${key}`);
  }
});

test('Accept-Language negotiation honours order and q-values', () => {
  assert.equal(negotiateLanguage(undefined), 'en');
  assert.equal(negotiateLanguage('ru-RU,ru;q=0.9'), 'ru');
  assert.equal(negotiateLanguage('de,ru;q=0.3,en;q=0.7'), 'en');
  assert.equal(negotiateLanguage('ru;q=0,en'), 'en');
  assert.equal(negotiateLanguage('*'), 'en');
  assert.equal(negotiateLanguage('garbage;;;,,'), 'en');
});

test('every error code, of the API and of the WebSocket protocol, has a message in both languages', async () => {
  const { API_ERROR_CODES } = await import('../../src/shared/api-errors.ts');
  const { ErrorCode } = await import('../../src/shared/protocol.ts');
  const shownByTheRoomPage = new Set(['room-full', 'unsupported-version', 'chat-unavailable']);
  for (const code of [...API_ERROR_CODES, ...Object.values(ErrorCode).filter((c) => shownByTheRoomPage.has(c))]) {
    for (const catalogue of [en, ru] as const) assert.ok(`error.${code}` in catalogue, `error.${code}`);
  }
});

test('hints quote the limits they describe', () => {
  assert.equal(translate('en', 'register.passwordHint'), 'At least 8 characters.');
  assert.equal(translate('ru', 'register.usernameHint'), '3–32 буквы, цифры, точки, дефисы или подчёркивания.');
});

test('placeholders are filled', () => {
  assert.equal(translate('ru', 'room.participants', { count: 3 }), 'В комнате: 3');
  assert.equal(translate('en', 'dashboard.inviteSent', {}), 'Invitation sent to {name}');
});
