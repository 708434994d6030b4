/**
 * The people in the call, me first: microphone, camera, hand and the link to
 * each, and a way to verify the encryption with them.
 */
import type { MediaState } from '../../shared/protocol.ts';
import { el } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { RemotePeer } from '../rtc/call.ts';
import { icon } from './icons.ts';

export interface PeopleActions {
  verify(peerId: string): void;
}

export class PeopleView {
  private readonly list: HTMLUListElement;
  private readonly actions: PeopleActions;
  /** What the list shows, to rebuild it only when that changes (a rebuild would take a keyboard user's focus). */
  private shown = '';

  constructor(list: HTMLUListElement, actions: PeopleActions) {
    this.list = list;
    this.actions = actions;
  }

  render(self: { name: string; media: MediaState }, peers: RemotePeer[]): void {
    const signature = JSON.stringify([self, peers.map((p) => [p.peerId, p.username, p.media, p.link, p.stats?.path])]);
    if (signature === this.shown) return;
    this.shown = signature;
    const rows = [
      this.row('self', t('room.you', { name: self.name }), self.media, null),
      ...[...peers].sort((a, b) => a.username.localeCompare(b.username)).map((peer) => this.row(peer.peerId, peer.username, peer.media, peer)),
    ];
    this.list.replaceChildren(...rows);
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
      row.append(verify);
    }
    return row;
  }
}

function stateIcon(id: string, label: string, off: boolean, extra = ''): HTMLElement {
  return el('span', { class: `state${off ? ' off' : ''}${extra ? ` ${extra}` : ''}`, title: label }, icon(id), el('span', { class: 'visually-hidden' }, label));
}
