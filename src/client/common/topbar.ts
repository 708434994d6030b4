/** The top bar every page shares (public/pages/partials/topbar*.html): language, the current page, signing out. */
import { api } from './api.ts';
import { installLanguageSwitch } from './i18n.ts';

export function installTopbar(): void {
  installLanguageSwitch();
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.topnav a')) {
    if (link.pathname === location.pathname) link.setAttribute('aria-current', 'page');
  }
  document.querySelector<HTMLButtonElement>('[data-action=signout]')?.addEventListener('click', async () => {
    await api('POST', '/logout').catch(() => undefined);
    location.assign('/');
  });
}
