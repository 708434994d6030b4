/**
 * The people in the call, me first: microphone, camera, hand and the link to
 * each, and a way to verify the encryption with them. The room's owner also
 * has, behind each person's menu button, "mute" and "remove".
 */
import type { MediaState } from '../../shared/protocol.ts';
import { el } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { RemotePeer } from '../rtc/call.ts';
import { icon } from './icons.ts';
import { displayName } from '../common/names.ts';

export interface PeopleActions {
  verify(peerId: string): void;
  /** Present for the room's owner only. */
  moderate?: (action: 'mute' | 'remove', peer: RemotePeer) => void;
}

export class PeopleView {
  private readonly list: HTMLUListElement;
  private readonly actions: PeopleActions;
  /** What the list shows, to rebuild it only when that changes (a rebuild would take a keyboard user's focus). */
  private shown = '';
  /** The person whose owner's menu is open, kept across rebuilds. */
  private menuFor: string | null = null;
  /** What was last shown, to show it again with a menu opened or closed. */
  private lastRender: { self: { name: string; media: MediaState }; peers: RemotePeer[] } | undefined;

  constructor(list: HTMLUListElement, actions: PeopleActions) {
    this.list = list;
    this.actions = actions;
  }

  render(self: { name: string; media: MediaState }, peers: RemotePeer[]): void {
    const signature = JSON.stringify([self, this.menuFor, peers.map((p) => [p.peerId, p.username, p.media, p.link, p.stats?.path])]);
    if (signature === this.shown) return;
    this.shown = signature;
    const rows = [
      this.row('self', t('room.you', { name: self.name }), self.media, null),
      ...[...peers].sort((a, b) => a.username.localeCompare(b.username)).map((peer) => this.row(peer.peerId, displayName(peer), peer.media, peer)),
    ];
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
    this.list.replaceChildren(...rows);
    if (focused) this.list.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    this.lastRender = { self, peers };
  }

  private toggleMenu(peerId: string): void {
    this.menuFor = this.menuFor === peerId ? null : peerId;
    if (this.lastRender) this.render(this.lastRender.self, this.lastRender.peers);
  }

  /** The owner's actions on one person, under their row while its menu is open. */
  private ownerActions(peer: RemotePeer, moderate: NonNullable<PeopleActions['moderate']>): HTMLElement {
    const mute = el('button', { type: 'button', 'data-moderate': 'mute', 'data-focus-key': `mute:${peer.peerId}` }, icon('i-mic-off'), t('room.askMute', { name: displayName(peer) }));
    mute.disabled = !peer.media.audio;
    const remove = el('button', { type: 'button', class: 'danger', 'data-moderate': 'remove', 'data-focus-key': `remove:${peer.peerId}` }, icon('i-leave'), t('room.remove', { name: displayName(peer) }));
    mute.addEventListener('click', () => moderate('mute', peer));
    remove.addEventListener('click', () => moderate('remove', peer));
    return el('div', { class: 'person-actions', id: `person-actions-${peer.peerId}` }, mute, remove);
  }

  private row(id: string, name: string, media: MediaState, peer: RemotePeer | null): HTMLLIElement {
    const states = el('span', { class: 'states' },
      stateIcon(media.audio ? 'i-mic' : 'i-mic-off', media.audio ? t('room.microphone') : t('room.micMuted'), !media.audio),
      stateIcon(media.video ? 'i-cam' : 'i-cam-off', media.video ? t('room.camera') : t('room.cameraIsOff'), !media.video),
    );
    if (media.hand) states.prepend(stateIcon('i-hand', t('room.handRaised'), false, 'hand'));
    const details = el('span', { class: 'person-detail' });
    if (peer) details.textContent = peer.link === 'connected' ? (peer.stats?.path ? t(`room.path.${peer.stats.path}`) : t('room.quality.unknown')) : t(`room.link.${peer.link}`);
    const row = el('li', { class: 'person', 'data-person': id, 'data-link': peer?.link ?? 'self' },
      el('span', { class: 'avatar small', 'aria-hidden': 'true' }, (Array.from(name)[0] ?? '?').toUpperCase()),
      el('span', { class: 'person-main' }, el('span', { class: 'person-name' }, name), details),
      states,
    );
    if (peer) {
      const verify = el('button', { type: 'button', class: 'icon-button', 'data-verify': peer.peerId, 'aria-label': `${t('room.verify')}: ${name}`, title: t('room.verify') }, icon('i-lock'));
      verify.disabled = peer.link !== 'connected';
      verify.addEventListener('click', () => this.actions.verify(peer.peerId));
      verify.dataset.focusKey = `verify:${peer.peerId}`;
      row.append(verify);
      const moderate = this.actions.moderate;
      if (moderate) {
        const open = this.menuFor === peer.peerId;
        const label = t('room.personMenu', { name });
        const menu = el('button', { type: 'button', class: 'icon-button', 'data-person-menu': peer.peerId, 'data-focus-key': `menu:${peer.peerId}`, 'aria-label': label, title: label, 'aria-expanded': String(open), 'aria-controls': `person-actions-${peer.peerId}` }, icon('i-more'));
        menu.addEventListener('click', () => this.toggleMenu(peer.peerId));
        row.append(menu);
        if (open) row.append(this.ownerActions(peer, moderate));
      }
    }
    return row;
  }
}

function stateIcon(id: string, label: string, off: boolean, extra = ''): HTMLElement {
  return el('span', { class: `state${off ? ' off' : ''}${extra ? ` ${extra}` : ''}`, title: label }, icon(id), el('span', { class: 'visually-hidden' }, label));
}
