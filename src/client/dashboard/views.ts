/** Builds the dashboard's room and invitation cards. Text only through textContent. */
import type { Invitation, Room } from '../../shared/api.ts';
import { USERNAME_MAX_CHARS } from '../../shared/limits.ts';
import { el, formatTime } from '../common/dom.ts';
import { t } from '../common/i18n.ts';

export function roomCard(room: Room): HTMLLIElement {
  const inviteId = `invite-${room.id}`;
  return el('li', { class: 'card', 'data-room': room.id },
    el('div', { class: 'card-main' },
      el('h3', {}, room.name),
      el('div', { class: 'card-actions' },
        el('a', { class: 'button primary', href: `/room/${room.id}` }, t('dashboard.open')),
        el('button', { type: 'button', 'data-copy': room.link }, t('dashboard.copyLink')),
      ),
    ),
    el('form', { class: 'inline-form', 'data-invite': room.id, novalidate: '' },
      el('label', { class: 'grow', for: inviteId }, t('dashboard.inviteUser')),
      el('input', { id: inviteId, name: 'username', required: '', maxlength: String(USERNAME_MAX_CHARS), autocapitalize: 'none', spellcheck: 'false', placeholder: t('dashboard.inviteUsername') }),
      el('button', { type: 'submit' }, t('dashboard.send')),
    ),
  );
}

export function invitationCard(invitation: Invitation, fresh = false): HTMLLIElement {
  return el('li', { class: fresh ? 'card fresh' : 'card', 'data-invitation': invitation.id },
    el('div', { class: 'card-main' },
      el('p', {}, t('dashboard.invitedBy', { from: invitation.fromUsername, room: invitation.roomName })),
      el('time', { datetime: new Date(invitation.createdAt).toISOString() }, formatTime(invitation.createdAt)),
      el('a', { class: 'button primary', href: `/room/${invitation.roomId}` }, t('dashboard.open')),
    ),
  );
}
