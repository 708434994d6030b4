/** The page's language (set by the server on <html lang>) and the switch that changes it. */
import { LANGUAGE_COOKIE, isLanguage, translate, type Language, type MessageKey } from '../../shared/i18n/index.ts';

export const lang: Language = isLanguage(document.documentElement.lang) ? document.documentElement.lang : 'en';

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(lang, key, params);
}

/** Wires every `[data-lang-switch]` select: choosing a language stores it and reloads. */
export function installLanguageSwitch(): void {
  for (const select of document.querySelectorAll<HTMLSelectElement>('[data-lang-switch]')) {
    select.value = lang;
    select.addEventListener('change', () => {
      document.cookie = `${LANGUAGE_COOKIE}=${select.value}; path=/; max-age=31536000; samesite=lax`;
      location.reload();
    });
  }
}
