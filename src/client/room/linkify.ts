/**
 * Turns `http://` and `https://` URLs in chat text into links, and nothing
 * else: `javascript:`, `data:`, `vbscript:` and every other scheme stay plain
 * text whatever their case or encoding, because only the two web schemes are
 * ever matched, and a match becomes a link only if the browser's own URL
 * parser agrees its protocol is `http:` or `https:`.
 *
 * The DOM is built with createElement and textContent (never HTML), and a
 * link loads nothing until it is clicked: no preview, no prefetch.
 */

export type Segment = { text: string } | { text: string; href: string };

/**
 * A web URL: the scheme, then a run of characters that are neither space nor
 * quotes or angle brackets nor invisible (control, zero-width, bidi) ones, so
 * a link's visible text is exactly where it goes.
 */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+/giu;

/** Punctuation that usually ends a sentence rather than a URL: "see https://x.org." */
const TRAILING_PUNCTUATION = /[.,;:!?'")\]}»…]+$/u;

/** Drops trailing punctuation, but keeps a ")" that closes a "(" in the URL (Wikipedia links). */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const match = TRAILING_PUNCTUATION.exec(url);
    if (!match) return url;
    let end = url.length - match[0].length;
    // Give back closing parentheses that are balanced by opening ones inside the URL.
    while (url[end] === ')' && count(url.slice(0, end), '(') > count(url.slice(0, end), ')')) end += 1;
    if (end === url.length) return url;
    url = url.slice(0, end);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The link target of a candidate, or null when it is not a plain http(s) URL with a host. */
export function safeHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

/** Splits chat text into plain-text and link segments; joined, their texts equal the input. */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const candidate = trimUrl(match[0]);
    const href = safeHref(candidate);
    if (href === null) continue;
    if (start > last) segments.push({ text: text.slice(last, start) });
    segments.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

/** The nodes that show `text` with its web URLs as links opening in a new tab. */
export function linkifiedNodes(text: string): Array<Node | string> {
  return linkify(text).map((segment) => {
    if (!('href' in segment)) return segment.text;
    const link = document.createElement('a');
    link.textContent = segment.text;
    // noopener: the new tab cannot reach back into this page; noreferrer: the
    // room's URL (a secret) is not sent as the Referer.
    link.rel = 'noopener noreferrer';
    link.target = '_blank';
    link.href = segment.href;
    return link;
  });
}
