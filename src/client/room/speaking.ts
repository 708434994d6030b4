/** Who is speaking, marked on their tiles from the audio levels. */
import { AudioMeter } from '../rtc/audio-meter.ts';
import type { Call } from '../rtc/call.ts';
import type { LocalTracks } from '../rtc/local-tracks.ts';
import type { Stage } from './stage.ts';

/** How often the speaking indicators are updated, in milliseconds. */
const SPEAKING_POLL_MS = 200;
/** Levels above these count as speech: the remote one is RTP's audio level, the local one our meter's scale. */
const REMOTE_SPEECH_LEVEL = 0.03;
const LOCAL_SPEECH_LEVEL = 0.1;
/** A speaker stays marked this long after their last loud moment, so the ring does not flicker between words, in milliseconds. */
const SPEAKING_HOLD_MS = 600;

/** Marks who is speaking, from the audio levels, a few times a second. */
export function watchSpeaking(call: Call, local: LocalTracks, stage: Stage): void {
  const lastLoud = new Map<string, number>();
  let meter: AudioMeter | undefined;
  let metered: MediaStreamTrack | undefined;
  let busy = false;
  window.setInterval(async () => {
    if (busy) return;
    busy = true;
    const levels = await call.audioLevels();
    busy = false;
    const now = performance.now();
    const track = local.track('audio');
    if (track !== metered) {
      meter?.stop();
      metered = track;
      meter = track ? new AudioMeter(track) : undefined;
    }
    if (call.mediaState.audio && (meter?.level() ?? 0) > LOCAL_SPEECH_LEVEL) lastLoud.set('self', now);
    for (const [peerId, level] of levels) if (level > REMOTE_SPEECH_LEVEL) lastLoud.set(peerId, now);
    for (const id of ['self', ...levels.keys()]) stage.tile(id)?.setSpeaking(now - (lastLoud.get(id) ?? -Infinity) < SPEAKING_HOLD_MS);
  }, SPEAKING_POLL_MS);
}
