import { PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS } from '../limits.ts';
import { en, type Catalogue, type MessageKey } from './en.ts';
import { ru } from './ru.ts';

export type { MessageKey, Catalogue };

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';
/** Cookie that remembers the language chosen with the switch; not a secret. */
export const LANGUAGE_COOKIE = 'lang';

const catalogues: Record<Language, Catalogue> = { en, ru };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Limits the texts quote, so that a hint never disagrees with the rule it describes. */
const LIMIT_PARAMS: Record<string, number> = {
  usernameMin: USERNAME_MIN_CHARS,
  usernameMax: USERNAME_MAX_CHARS,
  passwordMin: PASSWORD_MIN_CHARS,
};

/** Fills `{name}` placeholders from `params` and the limits; unknown placeholders are left as they are. */
export function translate(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[lang][key] ?? en[key];
  const values = { ...LIMIT_PARAMS, ...params };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function catalogue(lang: Language): Catalogue {
  return catalogues[lang];
}

/**
 * Picks the best supported language from an `Accept-Language` header value,
 * honouring q-values; falls back to English.
 */
export function negotiateLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return DEFAULT_LANGUAGE;
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { base: tag.toLowerCase().split('-')[0] ?? '', quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.base).find(isLanguage) ?? DEFAULT_LANGUAGE;
}
