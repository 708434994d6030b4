/**
 * The video grid: one tile per participant (me first). The tile count is
 * exposed as `data-count` so the stylesheet can lay out 1–6 tiles.
 */
import type { MediaState } from '../../shared/protocol.ts';
import { el } from '../common/dom.ts';
import { t } from '../common/i18n.ts';

export interface TileState {
  id: string;
  label: string;
  stream: MediaStream | null;
  media: MediaState;
  self: boolean;
}

export class VideoGrid {
  private readonly tiles = new Map<string, HTMLElement>();

  private readonly root: HTMLElement;
  constructor(root: HTMLElement) {
    this.root = root;}

  upsert(state: TileState): void {
    let tile = this.tiles.get(state.id);
    if (!tile) {
      tile = this.createTile(state);
      this.tiles.set(state.id, tile);
      if (state.self) this.root.prepend(tile);
      else this.root.append(tile);
      this.root.dataset.count = String(this.tiles.size);
    }
    const video = tile.querySelector('video')!;
    if (video.srcObject !== state.stream) video.srcObject = state.stream;
    const showVideo = state.stream !== null && state.media.video;
    tile.classList.toggle('no-video', !showVideo);
    tile.querySelector<HTMLElement>('[data-mic-off]')!.hidden = state.media.audio;
    tile.querySelector<HTMLElement>('[data-cam-off]')!.hidden = state.media.video;
    tile.dataset.audio = String(state.media.audio);
    tile.dataset.video = String(state.media.video);
  }

  remove(id: string): void {
    this.tiles.get(id)?.remove();
    this.tiles.delete(id);
    this.root.dataset.count = String(this.tiles.size);
  }

  clearRemote(): void {
    for (const [id, tile] of this.tiles) if (tile.dataset.self !== 'true') this.remove(id);
  }

  private createTile(state: TileState): HTMLElement {
    const video = el('video', { autoplay: '', playsinline: '' });
    // My own audio would echo; remote audio plays from the video element.
    video.muted = state.self;
    return el('figure', { class: 'tile', 'data-peer': state.id, 'data-self': String(state.self) },
      video,
      el('div', { class: 'avatar', 'aria-hidden': 'true' }, initial(state.label)),
      el('figcaption', {},
        el('span', { class: 'name' }, state.label),
        el('span', { class: 'badge', 'data-mic-off': '', title: t('room.micMuted') }, icon('i-mic-off'), el('span', { class: 'visually-hidden' }, t('room.micMuted'))),
        el('span', { class: 'badge', 'data-cam-off': '', title: t('room.cameraIsOff') }, icon('i-cam-off'), el('span', { class: 'visually-hidden' }, t('room.cameraIsOff'))),
      ),
    );
  }
}

/** A reference to one of the page's SVG sprite symbols. */
function icon(id: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(ns, 'use');
  use.setAttribute('href', `#${id}`);
  svg.append(use);
  return svg;
}

function initial(name: string): string {
  return (Array.from(name)[0] ?? '?').toUpperCase();
}
