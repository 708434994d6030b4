/** The dashboard: my rooms, creating and sharing them, and invitations arriving live. */
import { api, ApiError } from '../common/api.ts';
import { copyText, must, toast } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { installTopbar } from '../common/topbar.ts';
import { playChime } from './chime.ts';
import type { Invitation, Room } from '../../shared/api.ts';
import { invitationCard, roomCard } from './views.ts';

installTopbar();

const roomsList = must<HTMLUListElement>('#rooms');
const invitationsList = must<HTMLUListElement>('#invitations');
const liveStatus = must<HTMLElement>('[data-live-status]');
const shownInvitations = new Set<string>();

function syncEmpty(): void {
  must<HTMLElement>('[data-empty=rooms]').hidden = roomsList.children.length > 0;
  must<HTMLElement>('[data-empty=invitations]').hidden = invitationsList.children.length > 0;
}

function showInvitation(invitation: Invitation, fresh: boolean): void {
  if (shownInvitations.has(invitation.id)) return;
  shownInvitations.add(invitation.id);
  const card = invitationCard(invitation, fresh);
  if (fresh) invitationsList.prepend(card);
  else invitationsList.append(card);
  syncEmpty();
}

async function load(): Promise<void> {
  const [rooms, invitations] = await Promise.all([
    api<Room[]>('GET', '/api/rooms'),
    api<Invitation[]>('GET', '/api/invitations'),
  ]);
  roomsList.replaceChildren(...rooms.map(roomCard));
  for (const invitation of invitations) showInvitation(invitation, false);
  syncEmpty();
}

function listenForInvitations(): void {
  const source = new EventSource('/api/notifications');
  source.addEventListener('open', () => {
    liveStatus.textContent = '';
    // Catch up on anything sent while the stream was down.
    void api<Invitation[]>('GET', '/api/invitations').then((list) => list.reverse().forEach((i) => showInvitation(i, true)));
  });
  source.addEventListener('error', () => {
    liveStatus.textContent = t('dashboard.offline');
  });
  source.addEventListener('invitation', (event) => {
    const invitation = JSON.parse((event as MessageEvent<string>).data) as Invitation;
    const isNew = !shownInvitations.has(invitation.id);
    showInvitation(invitation, true);
    if (!isNew) return;
    playChime();
    toast(t('dashboard.newInvitation', { from: invitation.fromUsername }));
    if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
      new Notification(t('dashboard.newInvitation', { from: invitation.fromUsername }), { body: invitation.roomName });
    }
  });
}

must<HTMLFormElement>('#create-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const error = must<HTMLElement>('[data-error=create]');
  error.textContent = '';
  const name = String(new FormData(form).get('name') ?? '').trim();
  if (!name) {
    error.textContent = t('error.invalid-input');
    return;
  }
  try {
    const room = await api<Room>('POST', '/api/rooms', { name });
    roomsList.prepend(roomCard(room));
    form.reset();
    syncEmpty();
  } catch (e) {
    error.textContent = e instanceof ApiError ? e.message : t('error.generic');
  }
});

roomsList.addEventListener('click', async (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('[data-copy]');
  if (!button) return;
  const link = button.dataset.copy ?? '';
  toast((await copyText(link)) ? t('dashboard.copied') : t('dashboard.copyFailed', { link }));
});

roomsList.addEventListener('submit', async (event) => {
  const form = (event.target as Element).closest<HTMLFormElement>('[data-invite]');
  if (!form) return;
  event.preventDefault();
  const input = must<HTMLInputElement>('input', form);
  const username = input.value.trim();
  if (!username) return;
  try {
    await api('POST', '/send_link', { room_id: form.dataset.invite, username });
    input.value = '';
    toast(t('dashboard.inviteSent', { name: username }));
  } catch (e) {
    toast(e instanceof ApiError ? e.message : t('error.generic'));
  }
});

load().catch((e: unknown) => toast(e instanceof ApiError ? e.message : t('error.generic')));
listenForInvitations();
