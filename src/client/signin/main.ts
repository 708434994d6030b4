/** The sign-in page: sign in or create an account, then go where the user was headed. */
import { api, ApiError } from '../common/api.ts';
import { t } from '../common/i18n.ts';
import { installTopbar } from '../common/topbar.ts';
import { must } from '../common/dom.ts';

installTopbar();

/** Only same-site paths, so a crafted `?next=` cannot send the user elsewhere. */
function destination(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/room\/[A-Za-z0-9_-]{1,64}$/.test(next) ? next : '/dashboard';
}

function wire(formId: string, endpoint: '/login' | '/register'): void {
  const form = must<HTMLFormElement>(`#${formId}`);
  const error = must<HTMLElement>('[data-error]', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const submit = must<HTMLButtonElement>('button[type=submit]', form);
    submit.disabled = true;
    error.textContent = '';
    try {
      await api('POST', endpoint, { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') });
      location.assign(destination());
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : t('error.generic');
      submit.disabled = false;
    }
  });
}

wire('signin-form', '/login');
wire('register-form', '/register');

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-show]')) {
  button.addEventListener('click', () => {
    for (const form of document.querySelectorAll<HTMLFormElement>('form')) form.hidden = form.id !== button.dataset.show;
    must<HTMLInputElement>(`#${button.dataset.show} input`).focus();
  });
}
