/**
 * My camera, microphone and shared screen, from the pre-join screen to the
 * end of the call: turning them on and off, switching devices, and sharing
 * the screen. The peer connections read from here (see Call); the tracks are
 * replaced in place, so a switch needs no renegotiation.
 */
import { Emitter } from '../common/emitter.ts';
import { openDevice } from './media.ts';

type LocalTrackEvents = {
  /** A track was swapped for another device's (or added where there was none). */
  track: MediaStreamTrack;
  /** The screen share started (a stream) or ended (null), by the page or by the browser's own "Stop sharing". */
  screen: MediaStream | null;
};

export class LocalTracks extends Emitter<LocalTrackEvents> {
  /** Camera and microphone, in one stream (the peers receive them together). */
  readonly stream: MediaStream;
  screen: MediaStream | null = null;
  private readonly enabled = { audio: true, video: true };

  constructor(initial: MediaStream | null) {
    super();
    this.stream = initial ?? new MediaStream();
  }

  track(kind: 'audio' | 'video'): MediaStreamTrack | undefined {
    return this.stream.getTracks().find((t) => t.kind === kind && t.readyState === 'live');
  }

  has(kind: 'audio' | 'video'): boolean {
    return this.track(kind) !== undefined;
  }

  /** On and present: what the others get. */
  isOn(kind: 'audio' | 'video'): boolean {
    return this.has(kind) && this.enabled[kind];
  }

  /**
   * Mutes or unmutes. A disabled track sends silence or black frames, so the
   * peer connections need no renegotiation.
   */
  setEnabled(kind: 'audio' | 'video', on: boolean): void {
    this.enabled[kind] = on;
    for (const track of this.stream.getTracks()) if (track.kind === kind) track.enabled = on;
  }

  /** Takes `deviceId` as my camera or microphone; the old device is released. */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<MediaStreamTrack> {
    const trackKind = kind === 'audioinput' ? 'audio' : 'video';
    const old = this.track(trackKind);
    if (old?.getSettings().deviceId === deviceId) return old;
    // Some systems cannot open a second camera while the first is open: release it first.
    old?.stop();
    const track = await openDevice(kind, deviceId);
    track.enabled = this.enabled[trackKind];
    if (old) this.stream.removeTrack(old);
    this.stream.addTrack(track);
    this.emit('track', track);
    return track;
  }

  /** Whether this browser can share a screen (phones cannot). */
  static canShareScreen(): boolean {
    return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  }

  /** Asks the browser for a screen, window or tab; rejects when the user declines. */
  async startScreen(): Promise<MediaStream> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    this.stopScreen();
    this.screen = stream;
    // The browser's own "Stop sharing" bar ends the track without asking us.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => {
      if (this.screen === stream) this.stopScreen();
    });
    this.emit('screen', stream);
    return stream;
  }

  stopScreen(): void {
    const stream = this.screen;
    if (!stream) return;
    this.screen = null;
    for (const track of stream.getTracks()) track.stop();
    this.emit('screen', null);
  }

  /** Releases every device (leaving the call, or the call lost). */
  stopAll(): void {
    this.stopScreen();
    for (const track of this.stream.getTracks()) track.stop();
  }
}
