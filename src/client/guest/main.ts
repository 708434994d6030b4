/** A guest link's page: a display name, then straight into the room's call. */
import { isBlank } from '../../shared/blank.ts';
import { api, ApiError } from '../common/api.ts';
import { must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { installTopbar } from '../common/topbar.ts';

installTopbar();
must<HTMLElement>('[data-guest-hint]').textContent = t('guest.hint', { room: document.body.dataset.roomName ?? '' });
const form = must<HTMLFormElement>('#guest-form');
const error = must<HTMLElement>('[data-error]', form);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = String(new FormData(form).get('name') ?? '').trim();
  if (isBlank(name)) {
    error.textContent = t('error.invalid-input');
    return;
  }
  const submit = must<HTMLButtonElement>('button[type=submit]', form);
  submit.disabled = true;
  error.textContent = '';
  try {
    const { roomId } = await api<{ roomId: string }>('POST', location.pathname, { name });
    location.assign(`/room/${roomId}`);
  } catch (e) {
    error.textContent = e instanceof ApiError ? e.message : t('error.generic');
    submit.disabled = false;
  }
});
