/** The chat panel: stored messages in sequence order, my unsent ones after them. */
import type { ChatMessage } from '../../shared/protocol.ts';
import { el, formatTime } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { PendingMessage } from '../rtc/chat-log.ts';
import { linkifiedNodes } from './linkify.ts';

export class ChatView {
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly selfName: string;
  constructor(
    list: HTMLOListElement,
    empty: HTMLElement,
    selfName: string,
  ) {
    this.list = list;
    this.empty = empty;
    this.selfName = selfName;}

  /** Shows a stored message, replacing my pending copy of it if there is one. */
  showStored(message: ChatMessage): void {
    this.list.querySelector(`[data-client-id="${CSS.escape(message.clientId)}"][data-pending]`)?.remove();
    const item = this.item(message.username, message.text, message.sentAt, { seq: String(message.seq), 'data-client-id': message.clientId });
    // Keep sequence order even if messages arrive out of order.
    const after = [...this.list.querySelectorAll<HTMLElement>('[data-seq]')].find((node) => Number(node.dataset.seq) > message.seq);
    const firstPending = this.list.querySelector('[data-pending]');
    this.list.insertBefore(item, after ?? firstPending ?? null);
    this.update();
  }

  showPending(pending: PendingMessage): void {
    if (this.list.querySelector(`[data-client-id="${CSS.escape(pending.clientId)}"]`)) return;
    const item = this.item(this.selfName, pending.text, pending.createdAt, { 'data-client-id': pending.clientId, 'data-pending': '' });
    item.querySelector('.meta')!.append(el('span', { class: 'sending' }, ` · ${t('room.sending')}`));
    this.list.append(item);
    this.update();
  }

  private item(author: string, text: string, at: number, attrs: Record<string, string>): HTMLLIElement {
    const { seq, ...rest } = attrs;
    return el('li', { class: author === this.selfName ? 'message own' : 'message', ...(seq ? { 'data-seq': seq } : {}), ...rest },
      el('div', { class: 'meta' },
        el('span', { class: 'author' }, author),
        ' ',
        el('time', { datetime: new Date(at).toISOString() }, formatTime(at)),
      ),
      // Text nodes, plus <a> elements for http(s) URLs: never parsed as HTML.
      el('p', { class: 'text' }, ...linkifiedNodes(text)),
    );
  }

  private update(): void {
    this.empty.hidden = this.list.children.length > 0;
    this.list.scrollTop = this.list.scrollHeight;
  }
}
