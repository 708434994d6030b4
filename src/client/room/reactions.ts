/** Reactions: how each one looks, and how it floats up over the call for a few seconds. */
import type { Reaction } from '../../shared/protocol.ts';
import { el } from '../common/dom.ts';

const EMOJI: Record<Reaction, string> = {
  'thumbs-up': '👍',
  clap: '👏',
  laugh: '😂',
  heart: '❤️',
  party: '🎉',
  surprised: '😮',
};

/** How long a reaction stays in view, in milliseconds (the stylesheet's animation). */
const FLOAT_MS = 3500;
/** Most reactions floating at once; a burst beyond that is not drawn. */
const MAX_FLOATING = 12;

export function reactionEmoji(reaction: Reaction): string {
  return EMOJI[reaction];
}

export class ReactionLayer {
  private readonly layer: HTMLElement;

  constructor(layer: HTMLElement) {
    this.layer = layer;
  }

  show(reaction: Reaction, from: string): void {
    if (this.layer.childElementCount >= MAX_FLOATING) return;
    const bubble = el('div', { class: 'floating-reaction' }, el('span', { class: 'emoji' }, reactionEmoji(reaction)), el('span', { class: 'from' }, from));
    // Spread across the lower part of the stage so simultaneous reactions do not stack.
    bubble.style.setProperty('--x', `${10 + Math.random() * 70}%`);
    this.layer.append(bubble);
    window.setTimeout(() => bubble.remove(), FLOAT_MS);
  }
}
