/**
 * What the room page tells the user. Two kinds, kept apart so a stale one
 * never lingers: the current state of the call (one line, replaced as the
 * state changes, e.g. "Reconnecting…"), and passing events ("Alice joined",
 * "Link copied") that disappear on their own.
 */
import { el } from '../common/dom.ts';

/** How long a passing notice stays, in milliseconds. */
const NOTICE_MS = 4000;
/** Most passing notices shown at once; older ones make way. */
const MAX_NOTICES = 3;

export class Notices {
  private readonly status: HTMLElement;
  private readonly list: HTMLElement;

  constructor(status: HTMLElement, list: HTMLElement) {
    this.status = status;
    this.list = list;
  }

  /** The call's current state, or null when there is nothing to say. */
  setStatus(text: string | null): void {
    this.status.hidden = text === null;
    this.status.textContent = text ?? '';
  }

  /** A passing event. */
  show(text: string, kind: 'info' | 'warning' = 'info'): void {
    const notice = el('p', { class: `notice ${kind}` }, text);
    this.list.append(notice);
    while (this.list.children.length > MAX_NOTICES) this.list.firstElementChild?.remove();
    window.setTimeout(() => notice.remove(), NOTICE_MS);
  }
}
