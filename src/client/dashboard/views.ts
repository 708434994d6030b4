/** Builds the dashboard's cards and list rows. Text only through textContent. */
import type { Blocked, Contact, Invitation, Ring, Room } from '../../shared/api.ts';
import { ROOM_NAME_MAX_CHARS, USERNAME_MAX_CHARS } from '../../shared/limits.ts';
import { el, formatTime } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { displayName } from '../common/names.ts';

/** How long a room's chat may be kept, in days, as the owner's menu offers it (null: for ever). */
const RETENTION_CHOICES = [null, 1, 7, 30, 365] as const;

function retentionSelect(room: Room): HTMLLabelElement {
  const select = el('select', { name: 'retention', 'data-retention': room.id });
  for (const days of RETENTION_CHOICES) {
    const option = el('option', { value: days === null ? '' : String(days) }, days === null ? t('dashboard.retentionForever') : t('dashboard.retentionDays', { days }));
    option.selected = days === room.chatRetentionDays;
    select.append(option);
  }
  return el('label', { class: 'inline-label' }, t('dashboard.retention'), select);
}

/**
 * The guest link's part of the owner's menu. The link itself is shown only
 * to the page that made it (the server keeps a hash of it, not the link).
 */
function guestLinkPart(room: Room, link: string | undefined): HTMLElement {
  const part = el('div', { class: 'guest-link' }, el('strong', {}, t('dashboard.guestLink')));
  if (!room.guestLinkExpiresAt) {
    part.append(el('button', { type: 'button', 'data-guest-make': room.id }, t('dashboard.guestLinkMake')));
    return part;
  }
  const until = new Date(room.guestLinkExpiresAt).toLocaleString(document.documentElement.lang, { dateStyle: 'short', timeStyle: 'short' });
  part.append(el('span', {}, t('dashboard.guestLinkUntil', { time: until })));
  if (link) {
    part.append(el('div', { class: 'copy-row' },
      el('input', { readonly: '', value: link, 'aria-label': t('dashboard.guestLink'), 'data-guest-link': room.id }),
      el('button', { type: 'button', 'data-copy': link }, t('dashboard.copyLink'))));
  } else {
    part.append(el('button', { type: 'button', 'data-guest-make': room.id }, t('dashboard.guestLinkRenew')));
  }
  part.append(el('button', { type: 'button', 'data-guest-withdraw': room.id }, t('dashboard.guestLinkWithdraw')));
  return part;
}

/** The owner's (or a member's) menu of a room: rename, lock, chat retention, guest link, delete or leave. */
function roomMenu(room: Room, guestLink: string | undefined): HTMLDetailsElement {
  const menu = el('details', { class: 'room-menu' }, el('summary', {}, t('dashboard.more', { room: room.name })));
  if (room.owner) {
    const lock = el('input', { type: 'checkbox', 'data-lock': room.id });
    lock.checked = room.locked;
    menu.append(
      el('form', { class: 'inline-form', 'data-rename': room.id, novalidate: '' },
        el('label', { class: 'grow' }, t('dashboard.renameLabel'),
          el('input', { name: 'name', required: '', maxlength: String(ROOM_NAME_MAX_CHARS), value: room.name })),
        el('button', { type: 'submit' }, t('dashboard.save'))),
      el('label', { class: 'check' }, lock, t('dashboard.lock')),
      retentionSelect(room),
      guestLinkPart(room, guestLink),
      el('button', { type: 'button', class: 'danger', 'data-delete': room.id }, t('dashboard.delete')),
    );
  } else {
    menu.append(el('button', { type: 'button', 'data-leave': room.id }, t('dashboard.leave')));
  }
  return menu;
}

/** A room of mine; `guestLink`: the guest link this page just made for it. */
export function roomCard(room: Room, guestLink?: string): HTMLLIElement {
  const badges = el('div', { class: 'badges' });
  if (room.owner) badges.append(el('span', { class: 'badge' }, t('dashboard.owner')));
  if (room.locked) badges.append(el('span', { class: 'badge' }, t('dashboard.locked')));
  const inCall = el('p', { class: room.inCall.length > 0 ? 'in-call live' : 'in-call' },
    room.inCall.length > 0 ? t('dashboard.inCall', { names: room.inCall.map(displayName).join(', ') }) : t('dashboard.emptyCall'));
  return el('li', { class: 'card', 'data-room': room.id },
    el('div', { class: 'card-main' },
      el('div', { class: 'card-title' }, el('h3', {}, room.name), badges, inCall),
      el('div', { class: 'card-actions' },
        el('a', { class: 'button primary', href: `/room/${room.id}` }, t('dashboard.open')),
        el('button', { type: 'button', 'data-copy': room.link }, t('dashboard.copyLink')),
        el('button', { type: 'button', 'data-qr-for': room.id }, t('dashboard.qr')),
      ),
    ),
    el('form', { class: 'inline-form', 'data-invite': room.id, novalidate: '' },
      el('label', { class: 'grow' }, t('dashboard.inviteUser'),
        el('input', { name: 'username', required: '', maxlength: String(USERNAME_MAX_CHARS), autocapitalize: 'none', spellcheck: 'false', placeholder: t('dashboard.inviteUsername') })),
      el('button', { type: 'submit' }, t('dashboard.send')),
    ),
    roomMenu(room, guestLink),
  );
}

export function invitationCard(invitation: Invitation, fresh = false): HTMLLIElement {
  return el('li', { class: fresh ? 'card fresh' : 'card', 'data-invitation': invitation.id },
    el('div', { class: 'card-main' },
      el('p', {}, t('dashboard.invitedBy', { from: invitation.fromUsername, room: invitation.roomName })),
      el('time', { datetime: new Date(invitation.createdAt).toISOString() }, formatTime(invitation.createdAt)),
      el('div', { class: 'card-actions' },
        el('button', { type: 'button', class: 'primary', 'data-accept': invitation.id }, t('dashboard.accept')),
        el('button', { type: 'button', 'data-decline': invitation.id }, t('dashboard.decline')),
        el('button', { type: 'button', class: 'link', 'data-block': invitation.fromUsername }, t('dashboard.block', { name: invitation.fromUsername })),
      ),
    ),
  );
}

export function contactRow(contact: Contact): HTMLLIElement {
  return el('li', { class: 'contact', 'data-contact': contact.userId, 'data-presence': contact.presence },
    el('span', { class: 'presence-dot', 'aria-hidden': 'true' }),
    el('span', { class: 'contact-name' }, contact.username),
    el('span', { class: 'contact-state' }, t(`dashboard.presence.${contact.presence}`)),
  );
}

/** One line of the recent calls, in the words of the one reading it. */
export function ringText(ring: Ring): string {
  const names = { from: ring.fromUsername, to: ring.toUsername, room: ring.roomName };
  if (ring.state === 'ringing') return ring.outgoing ? t('dashboard.call.ringingOut', names) : t('dashboard.call.incoming', names);
  const key = `dashboard.call.${ring.state}${ring.outgoing ? 'Out' : 'In'}` as const;
  return t(key, names);
}

export function callRow(ring: Ring): HTMLLIElement {
  return el('li', { class: `call-row ${ring.state}`, 'data-call': ring.id, 'data-state': ring.state },
    el('span', {}, ringText(ring)),
    el('time', { datetime: new Date(ring.createdAt).toISOString() }, formatTime(ring.createdAt)),
  );
}

export function blockedRow(blocked: Blocked): HTMLLIElement {
  return el('li', { class: 'contact' },
    el('span', { class: 'contact-name' }, blocked.username),
    el('button', { type: 'button', 'data-unblock': blocked.userId }, t('dashboard.unblock')),
  );
}
