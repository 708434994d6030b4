/**
 * Renders the HTML pages from `public/pages/*.html`. Templates hold
 * `{{> name}}` (the shared piece `partials/name.html`: the head, the top
 * bar, the icons), `{{t:key}}` (a catalogue string), `{{lang}}`, `{{var:name}}` (a request
 * value), `{{limit:NAME}}` (a number from src/shared/limits.ts, so a form's
 * maxlength is the server's rule) and `{{preload:script}}` (modulepreload
 * links for the chunks that script imports, from the build's
 * dist/assets/preload.json); every substitution is HTML-escaped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import * as limits from '../../shared/limits.ts';
import { LANGUAGE_COOKIE, LANGUAGES, isLanguage, negotiateLanguage, translate, type Language, type MessageKey } from '../../shared/i18n/index.ts';

export type PageName = 'signin' | 'dashboard' | 'account' | 'room' | 'not-found' | 'guest';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** The language of a request: the switch's cookie first, then Accept-Language. */
export function requestLanguage(request: FastifyRequest): Language {
  const chosen = request.cookies[LANGUAGE_COOKIE];
  return isLanguage(chosen) ? chosen : negotiateLanguage(request.headers['accept-language']);
}

/**
 * The build's list of chunks per page script. None when the assets were not
 * built (some tests) or the list cannot be read: pages then work, only
 * without the head start.
 */
export function readPreloads(file: string): Record<string, string[]> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  } catch {
    return {};
  }
}

function limitNamed(name: string): number {
  const value = (limits as Record<string, unknown>)[name];
  if (typeof value !== 'number') throw new Error(`templates: no limit named ${name} in src/shared/limits.ts`);
  return value;
}

export type PageRenderer = ReturnType<typeof createPageRenderer>;

export function createPageRenderer(pagesDir: string, preloads: Record<string, string[]> = {}) {
  const cache = new Map<string, string>();
  const preloadLinks = (script: string) =>
    (preloads[script] ?? []).map((href) => `<link rel="modulepreload" href="${escapeHtml(href)}">`).join('\n  ');

  const localized = (page: PageName, lang: Language): string => {
    const key = `${page}:${lang}`;
    let html = cache.get(key);
    if (html === undefined) {
      const template = readFileSync(join(pagesDir, `${page}.html`), 'utf8')
        .replace(/\{\{> ([\w-]+)\}\}/g, (_, name: string) => readFileSync(join(pagesDir, 'partials', `${name}.html`), 'utf8').trimEnd());
      html = template
        .replaceAll('{{lang}}', lang)
        .replace(/\{\{preload:([\w-]+)\}\}/g, (_, script: string) => preloadLinks(script))
        .replace(/\{\{limit:(\w+)\}\}/g, (_, name: string) => String(limitNamed(name)))
        .replace(/\{\{t:([\w.-]+)\}\}/g, (_, k: string) => escapeHtml(translate(lang, k as MessageKey)));
      cache.set(key, html);
    }
    return html;
  };

  return {
    render(page: PageName, lang: Language, vars: Record<string, string> = {}): string {
      return localized(page, lang).replace(/\{\{var:(\w+)\}\}/g, (_, name: string) => escapeHtml(vars[name] ?? ''));
    },
    /** Renders every page once, so a broken template fails at start-up, not on a visitor. */
    preload(): void {
      for (const page of ['signin', 'dashboard', 'account', 'room', 'not-found', 'guest'] as const) for (const lang of LANGUAGES) localized(page, lang);
    },
  };
}
