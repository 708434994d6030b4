/**
 * How much each of my senders may send in a mesh, where I upload one copy of
 * my video to every other participant: my upload budget is shared out, the
 * resolution steps down with the bitrate, and a shared screen gets the
 * larger part. Pure, so the policy is unit tested; `Call` applies it with
 * `RTCRtpSender.setParameters` whenever the room or my sharing changes.
 */

/** What the senders to one peer may use, in bits per second. */
export interface SenderLimits {
  camera: { maxBitrate: number; scaleResolutionDownBy: number; active: boolean };
  screen: { maxBitrate: number };
  audio: { maxBitrate: number };
}

/** Never below this much for a camera that is sent at all, in bits per second: less is a slideshow. */
export const MIN_CAMERA_BPS = 100_000;
/** A camera is not worth more than this in a small tile, in bits per second. */
export const MAX_CAMERA_BPS = 1_000_000;
/** Opus speech is clear at this rate, in bits per second; it is always reserved first. */
export const AUDIO_BPS = 40_000;
/** While I share my screen, it gets this share of my video budget. */
const SCREEN_SHARE_OF_BUDGET = 0.7;

/**
 * Shares `uploadBudgetBps` among `peers` others. When even the minimum camera
 * rate does not fit (a large room on a small budget), or `weakLink` says the
 * link to this peer cannot carry it, the camera is paused and only audio
 * (and a shared screen) is sent: an audio-only call beats a frozen one.
 */
export function senderLimits(peers: number, uploadBudgetBps: number, sharingScreen: boolean, weakLink = false): SenderLimits {
  const perPeer = uploadBudgetBps / Math.max(1, peers);
  const video = Math.max(0, perPeer - AUDIO_BPS);
  const screenBps = sharingScreen ? Math.round(video * SCREEN_SHARE_OF_BUDGET) : 0;
  const cameraBps = Math.min(MAX_CAMERA_BPS, Math.round(video - screenBps));
  const active = cameraBps >= MIN_CAMERA_BPS && !weakLink;
  return {
    camera: { maxBitrate: active ? cameraBps : MIN_CAMERA_BPS, scaleResolutionDownBy: scaleFor(cameraBps), active },
    screen: { maxBitrate: Math.max(MIN_CAMERA_BPS, screenBps) },
    audio: { maxBitrate: AUDIO_BPS },
  };
}

/** 360p needs ~400 kbit/s to look right; below that, fewer pixels look better than more blocks. */
function scaleFor(bps: number): number {
  if (bps >= 400_000) return 1;
  if (bps >= 200_000) return 1.5;
  return 2;
}

/** Below this estimate of what the link to a peer can carry, in bits per second, it is too weak for video. */
export const WEAK_LINK_BPS = MIN_CAMERA_BPS + AUDIO_BPS;
/** Readings in a row (one every 2 s) that decide: this many weak ones pause the camera. */
export const WEAK_READINGS = 3;
/** A paused camera is tried again after this long, in milliseconds: with only audio flowing, the browser's estimate cannot tell whether the link got better. */
export const WEAK_RETRY_MS = 30_000;

/** One look at the link to a peer, from `getStats()`. */
export interface LinkReading {
  /** The browser's estimate of what it could send (`availableOutgoingBitrate`), in bits per second. */
  estimateBps: number;
  /** Whether that estimate holds my video back (`qualityLimitationReason` 'bandwidth'); null where the browser does not say. */
  limitedByBandwidth: boolean | null;
}

/**
 * A weak reading: a low estimate that holds the video back. A low estimate
 * alone proves nothing: the browser estimates little beyond what it sends,
 * so a small or still picture reads low on a good link.
 */
const isWeak = (reading: LinkReading) => reading.estimateBps < WEAK_LINK_BPS && reading.limitedByBandwidth !== false;

/**
 * Whether the link to one peer should go audio-only now, from its recent
 * readings (newest last) and when it went audio-only (null: it has not).
 */
export function weakLink(readings: readonly LinkReading[], audioOnlySince: number | null, now: number): boolean {
  if (audioOnlySince !== null) return now - audioOnlySince < WEAK_RETRY_MS;
  const recent = readings.slice(-WEAK_READINGS);
  return recent.length === WEAK_READINGS && recent.every(isWeak);
}
