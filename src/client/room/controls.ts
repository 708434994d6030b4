/**
 * The control bar (and the same toggles on the pre-join screen): microphone,
 * camera, screen, hand, reactions, the "more" menu (with the room's QR code
 * and, for its owner, the lock) and leave. It shows the
 * state it is given and reports what the user asks for; it owns no state.
 */
import { REACTIONS, type Reaction } from '../../shared/protocol.ts';
import type { MessageKey } from '../../shared/i18n/index.ts';
import { el, must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { reactionEmoji } from './reactions.ts';

export interface ControlState {
  audio: boolean;
  video: boolean;
  hasAudio: boolean;
  hasVideo: boolean;
  sharing: boolean;
  canShare: boolean;
  hand: boolean;
  selfHidden: boolean;
  /** The room takes members only (the owner's lock). */
  locked: boolean;
}

export interface ControlHandlers {
  mic(): void;
  camera(): void;
  screen(): void;
  hand(): void;
  react(reaction: Reaction): void;
  people(): void;
  selfView(): void;
  settings(): void;
  shortcuts(): void;
  qr(): void;
  /** The owner locks or unlocks the room. */
  lock(): void;
  leave(): void;
}

/** Marks a toggle; `pressed` means the "off" state for mic and camera (a pressed mute button means muted). */
function toggle(button: HTMLButtonElement, pressed: boolean, label: string): void {
  button.setAttribute('aria-pressed', String(pressed));
  button.setAttribute('aria-label', label);
  button.title = label;
  const text = button.querySelector<HTMLElement>('[data-label]');
  if (text) text.textContent = label;
}

export class Controls {
  private readonly handlers: ControlHandlers;
  private readonly menu: HTMLElement;
  private readonly menuButton: HTMLButtonElement;
  private readonly picker: HTMLElement;
  private readonly reactButton: HTMLButtonElement;

  constructor(handlers: ControlHandlers) {
    this.handlers = handlers;
    const on = (selector: string, action: () => void) => {
      for (const button of document.querySelectorAll<HTMLButtonElement>(selector)) button.addEventListener('click', action);
    };
    on('[data-action=mic]', () => handlers.mic());
    on('[data-action=camera]', () => handlers.camera());
    on('[data-action=screen], [data-menu=screen]', () => handlers.screen());
    on('[data-action=hand], [data-menu=hand]', () => handlers.hand());
    on('[data-action=leave]', () => handlers.leave());

    this.menu = must<HTMLElement>('[data-more-menu]');
    this.menuButton = must<HTMLButtonElement>('[data-action=more]');
    this.picker = must<HTMLElement>('[data-reaction-picker]');
    this.reactButton = must<HTMLButtonElement>('[data-action=react]');
    this.menuButton.addEventListener('click', () => this.setOpen(this.menu, this.menuButton, this.menu.hidden));
    this.reactButton.addEventListener('click', () => this.setOpen(this.picker, this.reactButton, this.picker.hidden));
    const menuAction = (name: string, action: () => void) =>
      must<HTMLButtonElement>(`[data-menu=${name}]`).addEventListener('click', () => {
        this.closePopovers();
        action();
      });
    menuAction('people', () => handlers.people());
    menuAction('self-view', () => handlers.selfView());
    menuAction('settings', () => handlers.settings());
    menuAction('shortcuts', () => handlers.shortcuts());
    menuAction('qr', () => handlers.qr());
    menuAction('lock', () => handlers.lock());
    this.picker.append(...REACTIONS.map((reaction) => this.reactionButton(reaction)));
    must<HTMLElement>('[data-menu-reactions]').append(...REACTIONS.map((reaction) => this.reactionButton(reaction)));
    // A popover closes on a click elsewhere or on Escape, and focus returns to its button.
    document.addEventListener('click', (event) => {
      if (!(event.target as Element).closest('.popover-anchor')) this.closePopovers();
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.closePopovers(true);
    });
  }

  render(state: ControlState): void {
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action=mic]')) {
      toggle(button, !state.audio, t(state.audio ? 'room.mute' : 'room.unmute'));
      button.disabled = !state.hasAudio;
    }
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action=camera]')) {
      toggle(button, !state.video, t(state.video ? 'room.cameraOff' : 'room.cameraOn'));
      button.disabled = !state.hasVideo;
    }
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action=screen], [data-menu=screen]')) {
      button.hidden = !state.canShare;
      toggle(button, state.sharing, t(state.sharing ? 'room.stopSharing' : 'room.shareScreen'));
      button.classList.toggle('active', state.sharing);
    }
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action=hand], [data-menu=hand]')) {
      toggle(button, state.hand, t(state.hand ? 'room.lowerHand' : 'room.raiseHand'));
      button.classList.toggle('active', state.hand);
    }
    toggle(must<HTMLButtonElement>('[data-menu=lock]'), state.locked, t(state.locked ? 'room.unlockRoom' : 'room.lockRoom'));
    const selfView = must<HTMLButtonElement>('[data-menu=self-view]');
    must<HTMLElement>('[data-label]', selfView).textContent = t(state.selfHidden ? 'room.showSelf' : 'room.hideSelf');
  }

  closePopovers(returnFocus = false): void {
    for (const [popover, button] of [[this.menu, this.menuButton], [this.picker, this.reactButton]] as const) {
      if (popover.hidden) continue;
      this.setOpen(popover, button, false);
      if (returnFocus) button.focus();
    }
  }

  private setOpen(popover: HTMLElement, button: HTMLButtonElement, open: boolean): void {
    if (open) this.closePopovers();
    popover.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    // The first button shown: some are hidden by the stylesheet (narrow screens only, owner only).
    if (open) [...popover.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.getClientRects().length > 0)?.focus();
  }

  private reactionButton(reaction: Reaction): HTMLButtonElement {
    const label = t(`room.reaction.${reaction}` as MessageKey);
    const button = el('button', { type: 'button', class: 'reaction-button', 'aria-label': label, title: label }, reactionEmoji(reaction));
    button.addEventListener('click', () => {
      this.closePopovers();
      this.handlers.react(reaction);
    });
    return button;
  }
}
