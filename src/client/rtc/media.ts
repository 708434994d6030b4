/**
 * Gets the camera and microphone, falling back to whichever one works, and
 * classifies failures so the page can say what happened and how to fix it.
 */
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

/** Constraints sized for a mesh of up to six: modest resolution keeps upstream bandwidth sane. */
const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };

export function classify(error: unknown): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'not-found';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'other';
}

export async function acquireLocalMedia(): Promise<LocalMedia> {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: 'insecure' };
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true, video: VIDEO_CONSTRAINTS }) };
  } catch (error) {
    const problem = classify(error);
    // Permission denied covers both devices; a missing or busy one may leave the other usable.
    if (problem === 'denied') return { stream: null, problem, detail: (error as Error).name };
    for (const [constraints, partial] of [
      [{ audio: true }, 'audio-only'],
      [{ video: VIDEO_CONSTRAINTS }, 'video-only'],
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
