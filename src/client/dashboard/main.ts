/**
 * The dashboard: my rooms (who is in each call, the owner's settings),
 * invitations to accept or decline, calls ringing for me, the people I share
 * rooms with and whether they are here, recent calls, and whom I blocked;
 * all kept live by the notification stream.
 */
import type { Blocked, Contact, Invitation, Ring, Room } from '../../shared/api.ts';
import type { NotificationEvent } from '../../shared/notifications.ts';
import { api, ApiError } from '../common/api.ts';
import { copyText, must, toast } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { showQrDialog } from '../common/qr.ts';
import { installTopbar } from '../common/topbar.ts';
import { playChime } from './chime.ts';
import { blockedRow, callRow, contactRow, invitationCard, ringText, roomCard } from './views.ts';

installTopbar();

const roomsList = must<HTMLUListElement>('#rooms');
const invitationsList = must<HTMLUListElement>('#invitations');
const contactsList = must<HTMLUListElement>('#contacts');
const callsList = must<HTMLUListElement>('#calls');
const blockedList = must<HTMLUListElement>('#blocked');
const liveStatus = must<HTMLElement>('[data-live-status]');
/** Time between chimes while a call rings, in milliseconds. */
const RING_CHIME_EVERY_MS = 2500;
let rooms: Room[] = [];
/** Guest links made on this page, by room: shown until a reload (the server keeps only their hash). */
const guestLinks = new Map<string, string>();

const errorText = (error: unknown) => (error instanceof ApiError ? error.message : t('error.generic'));

function syncEmpty(): void {
  for (const [name, list] of [['rooms', roomsList], ['invitations', invitationsList], ['contacts', contactsList], ['calls', callsList]] as const) {
    must<HTMLElement>(`[data-empty=${name}]`).hidden = list.children.length > 0;
  }
  must<HTMLElement>('[data-blocked-panel]').hidden = blockedList.children.length === 0;
}

/** Replaces a list's rows, keeping an open room menu open. */
async function loadRooms(): Promise<void> {
  rooms = await api<Room[]>('GET', '/api/rooms');
  const open = new Set([...roomsList.querySelectorAll<HTMLElement>('[data-room]')].filter((card) => card.querySelector('details')?.open).map((card) => card.dataset.room));
  roomsList.replaceChildren(...rooms.map((room) => {
    if (!room.guestLinkExpiresAt) guestLinks.delete(room.id);
    const card = roomCard(room, guestLinks.get(room.id));
    if (open.has(room.id)) card.querySelector('details')!.open = true;
    return card;
  }));
  syncEmpty();
}

async function loadInvitations(): Promise<void> {
  const invitations = await api<Invitation[]>('GET', '/api/invitations');
  const fresh = new Set([...invitationsList.querySelectorAll<HTMLElement>('.fresh')].map((card) => card.dataset.invitation));
  invitationsList.replaceChildren(...invitations.map((invitation) => invitationCard(invitation, fresh.has(invitation.id))));
  syncEmpty();
}

async function loadPeople(): Promise<void> {
  const [contacts, calls, blocked] = await Promise.all([api<Contact[]>('GET', '/api/contacts'), api<Ring[]>('GET', '/api/calls'), api<Blocked[]>('GET', '/api/blocks')]);
  contactsList.replaceChildren(...contacts.map(contactRow));
  callsList.replaceChildren(...calls.map(callRow));
  blockedList.replaceChildren(...blocked.map(blockedRow));
  syncEmpty();
}

/** Coalesces the refreshes a burst of events asks for. */
function debounced(run: () => Promise<void>, ms = 300): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run().catch(() => undefined), ms);
  };
}
const refreshRooms = debounced(loadRooms);
const refreshPeople = debounced(loadPeople);

/** The incoming call: a dialog that chimes until answered, declined, or ended elsewhere. */
const ringDialog = must<HTMLDialogElement>('[data-ring]');
let ringing: { ring: Ring; chime: number } | undefined;

function showRing(ring: Ring): void {
  if (ringing?.ring.id === ring.id) return;
  stopRinging();
  must<HTMLElement>('[data-ring-text]').textContent = ringText(ring);
  ringDialog.dataset.ring = ring.id;
  if (!ringDialog.open) ringDialog.showModal();
  playChime();
  ringing = { ring, chime: window.setInterval(playChime, RING_CHIME_EVERY_MS) };
  if ('Notification' in window && Notification.permission === 'granted' && document.hidden) new Notification(t('dashboard.ringTitle'), { body: ringText(ring) });
}

function stopRinging(): void {
  if (ringing) window.clearInterval(ringing.chime);
  ringing = undefined;
  if (ringDialog.open) ringDialog.close();
}

async function answer(accept: boolean): Promise<void> {
  const ring = ringing?.ring;
  stopRinging();
  if (!ring) return;
  try {
    await api('POST', `/api/calls/${ring.id}/${accept ? 'accept' : 'decline'}`);
    if (accept) location.assign(`/room/${ring.roomId}`);
  } catch (error) {
    toast(errorText(error));
  }
}
must<HTMLButtonElement>('[data-ring-accept]').addEventListener('click', () => void answer(true));
must<HTMLButtonElement>('[data-ring-decline]').addEventListener('click', () => void answer(false));
ringDialog.addEventListener('cancel', () => void answer(false));

function onNotification(event: NotificationEvent): void {
  switch (event.type) {
    case 'invitation': {
      const known = invitationsList.querySelector(`[data-invitation="${CSS.escape(event.invitation.id)}"]`);
      known?.remove();
      invitationsList.prepend(invitationCard(event.invitation, true));
      syncEmpty();
      if (!known) {
        playChime();
        toast(t('dashboard.newInvitation', { from: event.invitation.fromUsername }));
      }
      return;
    }
    case 'ring':
      showRing(event.ring);
      refreshPeople();
      return;
    case 'ring-ended':
      if (ringing?.ring.id === event.ring.id) stopRinging();
      if (event.ring.outgoing && event.ring.state !== 'accepted') toast(ringText(event.ring));
      refreshPeople();
      void loadInvitations().catch(() => undefined);
      return;
    case 'rooms-changed':
      refreshRooms();
      refreshPeople();
      return;
    case 'presence': {
      const row = contactsList.querySelector<HTMLElement>(`[data-contact="${CSS.escape(event.userId)}"]`);
      if (row) {
        row.dataset.presence = event.presence;
        row.querySelector('.contact-state')!.textContent = t(`dashboard.presence.${event.presence}`);
      } else refreshPeople();
      // Who is in which call changed too.
      refreshRooms();
      return;
    }
  }
}

function listen(): void {
  const source = new EventSource('/api/notifications');
  source.addEventListener('open', () => {
    liveStatus.textContent = '';
    // Catch up on anything sent while the stream was down.
    void Promise.all([loadInvitations(), loadRooms(), loadPeople()]).catch(() => undefined);
  });
  source.addEventListener('error', () => {
    liveStatus.textContent = t('dashboard.offline');
  });
  for (const type of ['invitation', 'ring', 'ring-ended', 'rooms-changed', 'presence'] as const) {
    source.addEventListener(type, (message) => onNotification(JSON.parse((message as MessageEvent<string>).data) as NotificationEvent));
  }
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
    await api<Room>('POST', '/api/rooms', { name });
    form.reset();
    await loadRooms();
  } catch (e) {
    error.textContent = errorText(e);
  }
});

/** Runs a card's action and reloads what it changed; a failure is said in a toast. */
async function act(run: () => Promise<unknown>, reload: Array<() => Promise<void>>, done?: string): Promise<void> {
  try {
    await run();
    if (done) toast(done);
  } catch (error) {
    toast(errorText(error));
  }
  await Promise.all(reload.map((load) => load().catch(() => undefined)));
}

document.addEventListener('click', async (event) => {
  const target = (event.target as Element).closest<HTMLElement>('button');
  if (!target) return;
  const data = target.dataset;
  const room = (id: string | undefined) => rooms.find((r) => r.id === id);
  if (data.copy) toast((await copyText(data.copy)) ? t('dashboard.copied') : t('dashboard.copyFailed', { link: data.copy }));
  else if (data.qrFor) {
    const found = room(data.qrFor);
    if (found) showQrDialog(found.name, found.link);
  } else if (data.accept) await act(() => api('POST', `/api/invitations/${data.accept}/accept`), [loadInvitations, loadRooms, loadPeople]);
  else if (data.decline) await act(() => api('POST', `/api/invitations/${data.decline}/decline`), [loadInvitations]);
  else if (data.block) await act(() => api('POST', '/api/blocks', { username: data.block }), [loadInvitations, loadPeople], t('dashboard.blocked', { name: data.block }));
  else if (data.unblock) await act(() => api('DELETE', `/api/blocks/${data.unblock}`), [loadPeople]);
  else if (data.guestMake) {
    const roomId = data.guestMake;
    await act(async () => {
      const { link } = await api<{ link: string }>('POST', `/api/rooms/${roomId}/guest-link`);
      guestLinks.set(roomId, link);
    }, [loadRooms], t('dashboard.guestLinkMade'));
  }
  else if (data.guestWithdraw) await act(() => api('DELETE', `/api/rooms/${data.guestWithdraw}/guest-link`), [loadRooms]);
  else if (data.delete && window.confirm(t('dashboard.deleteConfirm', { room: room(data.delete)?.name ?? '' }))) await act(() => api('DELETE', `/api/rooms/${data.delete}`), [loadRooms]);
  else if (data.leave && window.confirm(t('dashboard.leaveConfirm', { room: room(data.leave)?.name ?? '' }))) await act(() => api('POST', `/api/rooms/${data.leave}/leave`), [loadRooms, loadPeople]);
});

document.addEventListener('change', async (event) => {
  const target = event.target as HTMLInputElement | HTMLSelectElement;
  if (target.dataset.lock) await act(() => api('PATCH', `/api/rooms/${target.dataset.lock}`, { locked: (target as HTMLInputElement).checked }), [loadRooms]);
  if (target.dataset.retention) await act(() => api('PATCH', `/api/rooms/${target.dataset.retention}`, { chatRetentionDays: target.value ? Number(target.value) : null }), [loadRooms]);
});

roomsList.addEventListener('submit', async (event) => {
  const form = event.target as HTMLFormElement;
  event.preventDefault();
  const input = must<HTMLInputElement>('input', form);
  const value = input.value.trim();
  if (!value) return;
  if (form.dataset.rename) {
    await act(() => api('PATCH', `/api/rooms/${form.dataset.rename}`, { name: value }), [loadRooms]);
    return;
  }
  if (form.dataset.invite) {
    try {
      await api('POST', '/send_link', { room_id: form.dataset.invite, username: value });
      input.value = '';
      toast(t('dashboard.inviteSent', { name: value }));
      refreshPeople();
    } catch (e) {
      toast(errorText(e));
    }
  }
});

Promise.all([loadRooms(), loadInvitations(), loadPeople()]).catch((e: unknown) => toast(errorText(e)));
listen();
