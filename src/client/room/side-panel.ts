/**
 * The side panel with its two views, the chat and the people in the call:
 * beside the stage on a wide screen, over it (with a close button) on a
 * phone. Beside the call, the chat starts open unless the user closed it
 * last time; over the call it starts closed. Chat messages that arrive while
 * it is out of view are counted on the Chat button and in the tab's title.
 */
import { must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';

export type PanelView = 'chat' | 'people';

/** At least this wide, the panel sits beside the call instead of over it (the stylesheet's breakpoint). */
export const SIDE_BY_SIDE = '(min-width: 800px)';
/** Remembers whether the user keeps the panel open beside the call. */
const OPEN_KEY = 'callroom:panel-open';

export class SidePanel {
  private readonly panel: HTMLElement;
  private readonly buttons: Record<PanelView, HTMLButtonElement>;
  private readonly badge: HTMLElement;
  private readonly baseTitle = document.title;
  private view: PanelView = 'chat';
  private unread = 0;
  /** Called when a view becomes visible (the chat scrolls to what is new). */
  onShow: (view: PanelView) => void = () => undefined;

  constructor() {
    this.panel = must<HTMLElement>('[data-panel]');
    this.buttons = { chat: must('.controls [data-action=chat]'), people: must('.controls [data-action=people]') };
    this.badge = must<HTMLElement>('[data-unread]');
    for (const view of ['chat', 'people'] as const) {
      this.buttons[view].addEventListener('click', () => this.toggle(view));
      must<HTMLButtonElement>(`[data-tab=${view}]`).addEventListener('click', () => this.open(view));
    }
    must<HTMLButtonElement>('[data-action=close-panel]').addEventListener('click', (event) => {
      // A keyboard press (detail 0) continues from the button that opened the panel; a tap leaves no focus ring behind.
      this.close(event.detail === 0);
      if (window.matchMedia(SIDE_BY_SIDE).matches) remember('0');
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.panel.hidden && !document.querySelector('dialog[open]')) this.close(true);
    });
    // Narrowing the window turns the panel into a cover over the call: close it rather than hide the call.
    window.matchMedia(SIDE_BY_SIDE).addEventListener('change', (event) => {
      if (!event.matches) this.close();
    });
  }

  /** At the start of the call: open beside it, unless the user prefers it closed. */
  openIfPreferred(): void {
    if (window.matchMedia(SIDE_BY_SIDE).matches && localStorage.getItem(OPEN_KEY) !== '0') this.open('chat');
  }

  isShowing(view: PanelView): boolean {
    return !this.panel.hidden && this.view === view;
  }

  /** The user's own open or close, remembered for next time. */
  toggle(view: PanelView): void {
    const closing = this.isShowing(view);
    if (closing) this.close();
    else this.open(view);
    if (window.matchMedia(SIDE_BY_SIDE).matches) remember(closing ? '0' : '1');
  }

  open(view: PanelView): void {
    this.view = view;
    this.panel.hidden = false;
    document.body.classList.add('panel-open');
    for (const name of ['chat', 'people'] as const) {
      const showing = name === view;
      must<HTMLElement>(`[data-view=${name}]`).hidden = !showing;
      must<HTMLButtonElement>(`[data-tab=${name}]`).setAttribute('aria-selected', String(showing));
      this.buttons[name].setAttribute('aria-expanded', String(showing));
    }
    if (view === 'chat') this.setUnread(0);
    this.onShow(view);
  }

  close(returnFocus = false): void {
    if (this.panel.hidden) return;
    const hadFocus = returnFocus && this.panel.contains(document.activeElement);
    this.panel.hidden = true;
    document.body.classList.remove('panel-open');
    for (const button of Object.values(this.buttons)) button.setAttribute('aria-expanded', 'false');
    // Keyboard users continue from the button that opened it.
    if (hadFocus) this.buttons[this.view].focus();
  }

  /** A chat message arrived: counted unless the chat is in view. */
  messageArrived(): void {
    if (!this.isShowing('chat') || document.hidden) this.setUnread(this.unread + 1);
  }

  /** The tab came back into view: what the open chat shows is read now. */
  seen(): void {
    if (this.isShowing('chat')) this.setUnread(0);
  }

  get unreadCount(): number {
    return this.unread;
  }

  private setUnread(count: number): void {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 99 ? '99+' : String(count);
    const label = count > 0 ? `${t('room.chat')}, ${t('room.unread', { count })}` : t('room.chat');
    this.buttons.chat.setAttribute('aria-label', label);
    this.buttons.chat.title = label;
    document.title = count > 0 ? `(${count}) ${this.baseTitle}` : this.baseTitle;
  }
}

function remember(value: '0' | '1'): void {
  try {
    localStorage.setItem(OPEN_KEY, value);
  } catch {
    // Not remembered; the panel still works.
  }
}
