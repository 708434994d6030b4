/**
 * How loud my microphone is, for the pre-join meter and for showing when I
 * speak. One AudioContext per page; browsers start it suspended until the
 * user interacts, so it is resumed on the first click or key.
 */
let context: AudioContext | undefined;

function audioContext(): AudioContext | undefined {
  if (context) return context;
  try {
    context = new AudioContext();
  } catch {
    return undefined;
  }
  const resume = () => void context?.resume().catch(() => undefined);
  for (const event of ['pointerdown', 'keydown'] as const) document.addEventListener(event, resume, { passive: true });
  resume();
  return context;
}

export class AudioMeter {
  private readonly analyser: AnalyserNode | undefined;
  private readonly source: MediaStreamAudioSourceNode | undefined;
  private readonly samples: Float32Array<ArrayBuffer>;

  constructor(track: MediaStreamTrack) {
    const audio = audioContext();
    this.samples = new Float32Array(512);
    if (!audio) return;
    this.analyser = audio.createAnalyser();
    this.analyser.fftSize = 512;
    this.source = audio.createMediaStreamSource(new MediaStream([track]));
    this.source.connect(this.analyser);
  }

  /** The level now, 0–1: the signal's RMS, scaled so that normal speech reads about 0.3–0.8. */
  level(): number {
    if (!this.analyser) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this.samples.length) * 4);
  }

  stop(): void {
    this.source?.disconnect();
  }
}
