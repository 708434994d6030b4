/**
 * The pre-join screen: my preview, microphone and camera toggles, device
 * menus with a microphone level meter, and Join. What is set here is what
 * the call starts with.
 */
import type { MessageKey } from '../../shared/i18n/index.ts';
import { must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { AudioMeter } from '../rtc/audio-meter.ts';
import type { LocalTracks } from '../rtc/local-tracks.ts';
import type { LocalMedia } from '../rtc/media.ts';

/**
 * Set while this tab is in the call, so that reloading the page (or the
 * Rejoin button, which reloads) goes straight back in. Only a reload honours
 * it, and reading clears it: coming back to the room any other way (the back
 * arrow, history, a duplicated tab) shows the pre-join screen, so nobody is
 * put on camera without pressing Join.
 */
export function inCallMarker(roomId: string) {
  const key = `callroom:in-call:${roomId}`;
  return {
    set: (value: boolean) => (value ? sessionStorage.setItem(key, '1') : sessionStorage.removeItem(key)),
    /** Whether this page load is a reload of a page that was in the call; forgets it either way. */
    takeOnReload: (): boolean => {
      const was = sessionStorage.getItem(key) === '1';
      sessionStorage.removeItem(key);
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return was && navigation?.type === 'reload';
    },
  };
}

/** What to tell the user about their camera and microphone, or null when both work. */
export function mediaWarning(local: LocalMedia): string | null {
  if (local.partial) return t(local.partial === 'audio-only' ? 'media.audioOnly' : 'media.videoOnly');
  if (!local.problem) return null;
  const keys: Record<string, MessageKey> = { denied: 'media.denied', 'not-found': 'media.notFound', busy: 'media.busy', insecure: 'media.insecure' };
  const key = keys[local.problem];
  return key ? t(key) : t('media.other', { reason: local.detail ?? local.problem });
}

/** Resolves when the user asks to join: the Join button, or at once when `skip` (a reload in a call). */
export function joinRequested(skip: boolean): Promise<void> {
  const button = must<HTMLButtonElement>('[data-action=join]');
  return new Promise((resolve) => {
    if (skip) {
      resolve();
      return;
    }
    button.addEventListener('click', () => {
      button.disabled = true;
      resolve();
    }, { once: true });
    // Enabled only now that the click does something.
    button.disabled = false;
    button.focus();
  });
}

/** The microphone meter of the pre-join screen; follows device switches; stops at join. */
export function showMicrophoneLevel(local: LocalTracks): () => void {
  const meter = must<HTMLElement>('[data-mic-meter]');
  const bar = must<HTMLElement>('span', meter);
  let source: MediaStreamTrack | undefined;
  let audioMeter: AudioMeter | undefined;
  let frame = 0;
  const draw = () => {
    const track = local.track('audio');
    if (track !== source) {
      audioMeter?.stop();
      source = track;
      audioMeter = track ? new AudioMeter(track) : undefined;
    }
    const level = local.isOn('audio') ? audioMeter?.level() ?? 0 : 0;
    bar.style.setProperty('--level', String(level));
    meter.setAttribute('aria-valuenow', String(Math.round(level * 100)));
    frame = requestAnimationFrame(draw);
  };
  meter.hidden = !local.has('audio');
  draw();
  return () => {
    cancelAnimationFrame(frame);
    audioMeter?.stop();
  };
}
