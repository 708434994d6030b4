/**
 * The chat panel: stored messages in sequence order, my unsent ones after
 * them. It keeps to the newest message while the reader is at the bottom,
 * and opens at the first unread message (marked) or else the newest.
 */
import type { ChatMessage } from '../../shared/protocol.ts';
import { el, formatTime } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { PendingMessage } from '../rtc/chat-log.ts';
import { linkifiedNodes } from './linkify.ts';
import { displayName } from '../common/names.ts';

/** Within this many pixels of the bottom, the reader counts as following the newest messages. */
const FOLLOW_SLACK_PX = 48;

export class ChatView {
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly self: { userId: string; name: string };
  /** The first message that arrived unseen, until the chat is opened. */
  private firstUnread: HTMLElement | undefined;
  private readonly marker: HTMLElement;

  constructor(list: HTMLOListElement, empty: HTMLElement, self: { userId: string; name: string }) {
    this.list = list;
    this.empty = empty;
    this.self = self;
    this.marker = el('li', { class: 'unread-marker', role: 'separator' }, t('room.newMessages'));
  }

  /** Shows a stored message, replacing my pending copy of it if there is one. `unseen`: it arrived while the chat was out of view. */
  showStored(message: ChatMessage, unseen = false): void {
    const following = this.following();
    this.list.querySelector(`[data-client-id="${CSS.escape(message.clientId)}"][data-pending]`)?.remove();
    const own = message.userId === this.self.userId;
    const item = this.item(displayName(message), own, message.text, message.sentAt, { seq: String(message.seq), 'data-client-id': message.clientId });
    // Keep sequence order even if messages arrive out of order.
    const after = [...this.list.querySelectorAll<HTMLElement>('[data-seq]')].find((node) => Number(node.dataset.seq) > message.seq);
    const firstPending = this.list.querySelector('[data-pending]');
    this.list.insertBefore(item, after ?? firstPending ?? null);
    if (unseen && !this.firstUnread && !own) this.firstUnread = item;
    this.update(following);
  }

  showPending(pending: PendingMessage): void {
    if (this.list.querySelector(`[data-client-id="${CSS.escape(pending.clientId)}"]`)) return;
    const item = this.item(this.self.name, true, pending.text, pending.createdAt, { 'data-client-id': pending.clientId, 'data-pending': '' });
    item.querySelector('.meta')!.append(el('span', { class: 'sending' }, ` · ${t('room.sending')}`));
    this.list.append(item);
    // My own message: always brought into view.
    this.update(true);
  }

  /** One of my messages the server refused: it stays in view, marked as not sent, so its text is not lost. */
  showRefused(clientId: string): void {
    const item = this.list.querySelector<HTMLElement>(`[data-client-id="${CSS.escape(clientId)}"][data-pending]`);
    if (!item) return;
    item.classList.add('refused');
    item.querySelector('.sending')!.textContent = ` · ${t('room.notSent')}`;
  }

  /** The chat came into view: at the first unread message, marked, or else at the newest. */
  opened(): void {
    this.marker.remove();
    const first = this.firstUnread;
    this.firstUnread = undefined;
    if (first?.isConnected) {
      this.list.insertBefore(this.marker, first);
      this.list.scrollTop = Math.max(0, this.marker.offsetTop - this.list.offsetTop - 8);
    } else {
      this.list.scrollTop = this.list.scrollHeight;
    }
  }

  private following(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight <= FOLLOW_SLACK_PX;
  }

  private item(author: string, own: boolean, text: string, at: number, attrs: Record<string, string>): HTMLLIElement {
    const { seq, ...rest } = attrs;
    return el('li', { class: own ? 'message own' : 'message', ...(seq ? { 'data-seq': seq } : {}), ...rest },
      el('div', { class: 'meta' },
        el('span', { class: 'author' }, author),
        ' ',
        el('time', { datetime: new Date(at).toISOString() }, formatTime(at)),
      ),
      // Text nodes, plus <a> elements for http(s) URLs: never parsed as HTML.
      el('p', { class: 'text' }, ...linkifiedNodes(text)),
    );
  }

  private update(scrollToEnd: boolean): void {
    this.empty.hidden = this.list.querySelector('.message') !== null;
    if (scrollToEnd) this.list.scrollTop = this.list.scrollHeight;
  }
}
