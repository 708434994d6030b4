/** My account: sessions (sign out one or all), password change, account deletion. */
import type { Session } from '../../shared/api.ts';
import { api, ApiError } from '../common/api.ts';
import { el, must, toast } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { installTopbar } from '../common/topbar.ts';

installTopbar();


const sessionsList = must<HTMLUListElement>('#sessions');

const formatDate = (ms: number) =>
  new Date(ms).toLocaleString(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' });

/** A short, readable name for a browser from its User-Agent; the full string stays in the title. */
function browserName(userAgent: string | null): string {
  if (!userAgent) return t('account.unknownBrowser');
  const browser = /Firefox|Edg|OPR|Chrome|Safari/.exec(userAgent)?.[0] ?? '';
  const system = /Android|iPhone|iPad|Windows|Mac OS|Linux/.exec(userAgent)?.[0] ?? '';
  const name = [browser.replace('Edg', 'Edge').replace('OPR', 'Opera'), system.replace('Mac OS', 'macOS')].filter(Boolean).join(' · ');
  return name || userAgent.slice(0, 40);
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : t('error.generic');
}

function sessionCard(session: Session): HTMLLIElement {
  const title = el('strong', { title: session.userAgent ?? '' }, browserName(session.userAgent));
  const details = el('span', { class: 'meta' }, t('account.lastActive', { time: formatDate(session.lastSeenAt) }));
  const card = el('li', { class: 'card', 'data-session': session.id }, title, details);
  if (session.current) {
    card.append(el('span', { class: 'badge' }, t('account.thisBrowser')));
  } else {
    const button = el('button', { type: 'button' }, t('account.signOutSession'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('DELETE', `/api/account/sessions/${encodeURIComponent(session.id)}`);
        card.remove();
      } catch (error) {
        button.disabled = false;
        must<HTMLElement>('[data-error=sessions]').textContent = errorText(error);
      }
    });
    card.append(button);
  }
  return card;
}

async function loadSessions(): Promise<void> {
  const sessions = await api<Session[]>('GET', '/api/account/sessions');
  sessionsList.replaceChildren(...sessions.map(sessionCard));
}

must<HTMLButtonElement>('#signout-everywhere').addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/account/sessions');
    location.assign('/');
  } catch (error) {
    must<HTMLElement>('[data-error=sessions]').textContent = errorText(error);
  }
});

must<HTMLFormElement>('#change-password').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const error = must<HTMLElement>('[data-error=password]');
  error.textContent = '';
  const data = new FormData(form);
  try {
    await api('POST', '/api/account/password', {
      currentPassword: String(data.get('currentPassword') ?? ''),
      newPassword: String(data.get('newPassword') ?? ''),
      keepOtherSessions: data.get('keepOtherSessions') === 'on',
    });
    form.reset();
    toast(t('account.passwordChanged'));
    await loadSessions();
  } catch (e) {
    error.textContent = errorText(e);
  }
});

must<HTMLFormElement>('#delete-account').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const error = must<HTMLElement>('[data-error=delete]');
  error.textContent = '';
  if (!window.confirm(t('account.deleteConfirm'))) return;
  try {
    await api('DELETE', '/api/account', { password: String(new FormData(form).get('password') ?? '') });
    location.assign('/');
  } catch (e) {
    error.textContent = errorText(e);
  }
});

void loadSessions().catch((error: unknown) => {
  must<HTMLElement>('[data-error=sessions]').textContent = errorText(error);
});
