/**
 * One tile of the call: someone's camera (or avatar), or a shared screen,
 * with their name, microphone and hand, whether they speak, the state of
 * the link to them in words, and its quality (details on demand).
 */
import type { MediaState } from '../../shared/protocol.ts';
import { el } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { LinkStats } from '../rtc/link-stats.ts';
import type { LinkState } from '../rtc/peer-session.ts';
import { icon } from './icons.ts';

export interface TileState {
  /** `self`, a peer id, or `<peer id>:screen`. */
  id: string;
  kind: 'camera' | 'screen';
  self: boolean;
  name: string;
  stream: MediaStream | null;
  media: MediaState;
  /** For remote tiles: the link to that peer, and what it measures. */
  link?: LinkState;
  stats?: LinkStats | null;
  /** Whether a TURN relay is configured, for the advice when a peer cannot be reached. */
  hasRelay: boolean;
}

export interface TileActions {
  pin(id: string): void;
  showStats(id: string): void;
}

export class Tile {
  readonly element: HTMLElement;
  readonly video: HTMLVideoElement;
  private readonly name: HTMLElement;
  private readonly stateBox: HTMLElement;
  private readonly playButton: HTMLButtonElement;
  private readonly quality: HTMLButtonElement;
  private readonly pinButton: HTMLButtonElement;
  private state: TileState;

  constructor(state: TileState, actions: TileActions) {
    this.state = state;
    // Played by play() rather than `autoplay`, so that a refusal (no tap yet
    // on a phone, a reload into the call) is seen and answered with a control.
    this.video = el('video', { playsinline: '' });
    // My own audio would echo; a screen share carries none.
    this.video.muted = state.self || state.kind === 'screen';
    this.name = el('span', { class: 'name' });
    this.stateBox = el('div', { class: 'tile-state', role: 'status' });
    this.playButton = el('button', { type: 'button', class: 'tap-to-play', hidden: '' }, t('room.tapToPlay'));
    this.playButton.addEventListener('click', () => void this.play(true));
    this.quality = el('button', { type: 'button', class: 'tile-button quality', hidden: '' }, el('span', { class: 'bars', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')));
    this.quality.addEventListener('click', () => actions.showStats(state.id));
    this.pinButton = el('button', { type: 'button', class: 'tile-button' }, icon('i-pin'));
    this.pinButton.addEventListener('click', () => actions.pin(this.state.id));
    const fullscreen = el('button', { type: 'button', class: 'tile-button', 'aria-label': t('room.fullscreen'), title: t('room.fullscreen') }, icon('i-fullscreen'));
    fullscreen.addEventListener('click', () => void this.element.requestFullscreen?.().catch(() => undefined));
    if (!document.fullscreenEnabled) fullscreen.hidden = true;
    this.element = el('figure', { class: 'tile', 'data-tile': state.id, 'data-kind': state.kind, 'data-self': String(state.self) },
      this.video,
      el('div', { class: 'avatar', 'aria-hidden': 'true' }, initial(state.name)),
      this.stateBox,
      this.playButton,
      el('div', { class: 'tile-top' }, this.quality, this.pinButton, fullscreen),
      el('figcaption', {},
        el('span', { class: 'badge mic-off', title: t('room.micMuted') }, icon('i-mic-off'), el('span', { class: 'visually-hidden' }, t('room.micMuted'))),
        this.name,
        el('span', { class: 'badge hand', title: t('room.handRaised') }, icon('i-hand'), el('span', { class: 'visually-hidden' }, t('room.handRaised'))),
      ),
    );
    this.video.addEventListener('playing', () => {
      this.element.dataset.playing = 'true';
      this.playButton.hidden = true;
    });
    // Moving the tile (into the spotlight and back) pauses its video: play on.
    this.video.addEventListener('pause', () => {
      delete this.element.dataset.playing;
      if (this.video.srcObject) void this.play(false);
    });
    this.update(state);
  }

  get id(): string {
    return this.state.id;
  }

  update(state: TileState): void {
    this.state = state;
    const { element } = this;
    // An empty stream is never attached: a media element with nothing to
    // play would hold back the page's load event for good.
    const stream = state.stream && state.stream.getTracks().length > 0 ? state.stream : null;
    if (this.video.srcObject !== stream) {
      this.video.srcObject = stream;
      delete element.dataset.playing;
      if (stream) void this.play(false);
    }
    const label = state.kind === 'screen'
      ? state.self ? t('room.yourScreen') : t('room.screenOf', { name: state.name })
      : state.self ? t('room.you', { name: state.name }) : state.name;
    this.name.textContent = label;
    this.pinButton.setAttribute('aria-label', t('room.pin', { name: label }));
    this.pinButton.title = t('room.pin', { name: label });
    const cameraOn = state.kind === 'screen' || (state.media.video && stream?.getVideoTracks().some((tr) => tr.readyState === 'live') === true);
    element.classList.toggle('no-video', !cameraOn);
    element.dataset.audio = String(state.media.audio);
    element.dataset.video = String(state.media.video);
    element.dataset.hand = String(state.kind === 'camera' && state.media.hand === true);
    this.showLink(state);
  }

  /** Whether the person is speaking now (drawn as a ring around the tile). */
  setSpeaking(speaking: boolean): void {
    this.element.classList.toggle('speaking', speaking);
  }

  setPinned(pinned: boolean): void {
    this.element.classList.toggle('pinned', pinned);
    this.pinButton.setAttribute('aria-pressed', String(pinned));
    if (pinned) {
      this.pinButton.setAttribute('aria-label', t('room.unpin'));
      this.pinButton.title = t('room.unpin');
    }
  }

  remove(): void {
    this.video.srcObject = null;
    this.element.remove();
  }

  /** Plays the video; where the browser refuses to autoplay it, a tap-to-play control shows instead. */
  private async play(byUser: boolean): Promise<void> {
    try {
      await this.video.play();
      this.playButton.hidden = true;
    } catch (error) {
      // A newer stream replaced this one meanwhile: nothing to show.
      if ((error as DOMException).name === 'AbortError' && !byUser) return;
      this.playButton.hidden = false;
    }
  }

  /** The link in words on the tile while it is not working; a quality indicator once it is. */
  private showLink({ self, kind, link, stats, hasRelay }: TileState): void {
    const { element } = this;
    if (self || kind === 'screen' || !link) {
      this.stateBox.hidden = true;
      this.quality.hidden = true;
      return;
    }
    element.dataset.link = link;
    if (stats?.path) element.dataset.path = stats.path;
    if (stats) element.dataset.frames = String(stats.framesDecoded);
    this.stateBox.hidden = link === 'connected';
    if (link === 'failed') {
      this.stateBox.replaceChildren(
        el('strong', {}, t('room.link.failed')),
        el('span', {}, t(hasRelay ? 'room.link.failedRelay' : 'room.link.failedNoRelay')),
      );
    } else if (link !== 'connected') {
      this.stateBox.replaceChildren(el('span', { class: 'spinner', 'aria-hidden': 'true' }), el('span', {}, t(`room.link.${link}`)));
    }
    const quality = link === 'connected' ? stats?.quality ?? 'unknown' : 'unknown';
    this.quality.hidden = link !== 'connected';
    this.quality.dataset.quality = quality;
    const route = stats?.path ? `, ${t(`room.path.${stats.path}`)}` : '';
    const label = `${t(`room.quality.${quality}`)}${route}`;
    this.quality.setAttribute('aria-label', label);
    this.quality.title = label;
  }
}

function initial(name: string): string {
  return (Array.from(name)[0] ?? '?').toUpperCase();
}
