import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkify, safeHref, type Segment } from '../../src/client/room/linkify.ts';

const links = (text: string) => linkify(text).filter((s): s is Extract<Segment, { href: string }> => 'href' in s);

test('http and https URLs become links; the segments together are the text, unchanged', () => {
  const text = 'see https://example.org/a?b=1#c and http://127.0.0.1:8080/x, then HTTPS://EXAMPLE.ORG';
  const segments = linkify(text);
  assert.equal(segments.map((s) => s.text).join(''), text);
  assert.deepEqual(links(text), [
    { text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
    { text: 'http://127.0.0.1:8080/x', href: 'http://127.0.0.1:8080/x' },
    { text: 'HTTPS://EXAMPLE.ORG', href: 'https://example.org/' },
  ]);
});

test('trailing sentence punctuation is not part of a link, balanced parentheses are', () => {
  assert.deepEqual(links('go to https://example.org.').map((l) => l.text), ['https://example.org']);
  assert.deepEqual(links('(https://example.org/x)').map((l) => l.text), ['https://example.org/x']);
  assert.deepEqual(links('https://en.wikipedia.org/wiki/Foo_(bar)!').map((l) => l.text), ['https://en.wikipedia.org/wiki/Foo_(bar)']);
  assert.deepEqual(links('"https://example.org"').map((l) => l.text), ['https://example.org']);
});

test('javascript:, data:, vbscript: and other schemes stay text in any case mix or encoding', () => {
  for (const text of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    '&#106;avascript:alert(1)',
    '&#x6A;&#x61;vascript:alert(1)',
    'javascript&colon;alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'DaTa:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'VBScript:msgbox(1)',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    'file:///etc/passwd',
    'ftp://example.org/',
    'http:/example.org',
    'https://',
    'xhttps://example.org',
  ]) {
    assert.deepEqual(links(text), [], text);
    assert.equal(linkify(text).map((s) => s.text).join(''), text);
  }
});

test('a web URL next to a hostile one links only the web URL, and never crosses quotes, brackets or invisible characters', () => {
  assert.deepEqual(links('javascript:https://example.org').map((l) => l.href), ['https://example.org/']);
  assert.deepEqual(links('https://example.org/"onmouseover="alert(1)').map((l) => l.text), ['https://example.org/']);
  assert.deepEqual(links('<https://example.org/x>').map((l) => l.text), ['https://example.org/x']);
  assert.deepEqual(links('https://example.org\u202Egro.live').map((l) => l.text), ['https://example.org']);
  assert.deepEqual(links('https://exa\u200Bmple.org').map((l) => l.text), ['https://exa']);
});

test('safeHref accepts only http(s) URLs with a host', () => {
  assert.equal(safeHref('https://example.org'), 'https://example.org/');
  assert.equal(safeHref('http://[::1]:8000/x'), 'http://[::1]:8000/x');
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('data:text/plain,x'), null);
  assert.equal(safeHref('not a url'), null);
});
