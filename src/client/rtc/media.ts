/**
 * Opens the camera and microphone (the remembered ones when they are still
 * there), falling back to whichever works, and classifies failures so the
 * page can say what happened and how to fix it.
 */
import type { DeviceChoice } from './devices.ts';

export type MediaProblem = 'denied' | 'not-found' | 'busy' | 'insecure' | 'other';

export interface LocalMedia {
  stream: MediaStream | null;
  /** Why nothing (or not everything) could be captured. */
  problem?: MediaProblem;
  /** The error's own name, for the "other" message. */
  detail?: string;
  /** Set when only one of the two devices could be opened. */
  partial?: 'audio-only' | 'video-only';
}

/**
 * A 16:9 camera at 360p: it fills a call's tiles without cropping, and six
 * people's upload fits a home connection (the mesh sends one copy per peer).
 */
export function cameraConstraints(deviceId?: string): MediaTrackConstraints {
  return {
    width: { ideal: 640 },
    height: { ideal: 360 },
    aspectRatio: { ideal: 16 / 9 },
    frameRate: { ideal: 24, max: 30 },
    ...(deviceId ? { deviceId: { ideal: deviceId } } : {}),
  };
}

export function microphoneConstraints(deviceId?: string): MediaTrackConstraints | true {
  return deviceId ? { deviceId: { ideal: deviceId } } : true;
}

export function classify(error: unknown): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'not-found';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'other';
}

export async function acquireLocalMedia(choice: DeviceChoice = {}): Promise<LocalMedia> {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: 'insecure' };
  const audio = microphoneConstraints(choice.audioinput);
  const video = cameraConstraints(choice.videoinput);
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio, video }) };
  } catch (error) {
    const problem = classify(error);
    // Permission denied covers both devices; a missing or busy one may leave the other usable.
    if (problem === 'denied') return { stream: null, problem, detail: (error as Error).name };
    for (const [constraints, partial] of [
      [{ audio }, 'audio-only'],
      [{ video }, 'video-only'],
    ] as const) {
      try {
        return { stream: await navigator.mediaDevices.getUserMedia(constraints), partial, problem };
      } catch {
        // Try the other device.
      }
    }
    return { stream: null, problem, detail: (error as Error).name };
  }
}

/** A new track from one chosen device, for switching while in the call. */
export async function openDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<MediaStreamTrack> {
  const constraints = kind === 'videoinput'
    ? { video: { ...cameraConstraints(), deviceId: { exact: deviceId } } }
    : { audio: { deviceId: { exact: deviceId } } };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  const track = stream.getTracks()[0];
  if (!track) throw new DOMException('no track', 'NotFoundError');
  return track;
}
