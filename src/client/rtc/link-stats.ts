/**
 * What a peer connection's `getStats()` says about the link, in the terms a
 * tile shows: how the call is routed (directly, or through a TURN relay), the
 * round-trip time, packet loss and bitrates, and a quality grade. Pure: it
 * reads two reports (now and the previous one) and is unit tested with plain
 * maps.
 */
export type LinkPath = 'direct' | 'relay';
export type LinkQuality = 'good' | 'fair' | 'poor' | 'unknown';

export interface LinkStats {
  path: LinkPath | null;
  /** Round-trip time of the selected candidate pair, in milliseconds. */
  rttMs: number | null;
  /** Packets lost of those expected since the previous report, in percent (audio and video received). */
  lossPercent: number | null;
  /** Received and sent since the previous report, in kilobits per second. */
  inKbps: number | null;
  outKbps: number | null;
  /** The browser's estimate of what it could send, in kilobits per second. */
  availableOutKbps: number | null;
  /** What holds my video to this peer back (`qualityLimitationReason`: 'bandwidth', 'cpu', 'none'…); null where the browser does not say. */
  videoLimitedBy: string | null;
  /** Size and rate of the video received. */
  video: { width: number; height: number; fps: number } | null;
  /** Video frames decoded so far. */
  framesDecoded: number;
  quality: LinkQuality;
}

type Stat = Record<string, unknown> & { type: string; id: string; timestamp: number };
type Report = { forEach(callback: (stat: Stat) => void): void; get(id: string): unknown };

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function selectedPair(report: Report): Stat | undefined {
  let pair: Stat | undefined;
  report.forEach((stat) => {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') pair = report.get(stat.selectedCandidatePairId) as Stat | undefined;
  });
  // Firefox has no transport stats: its selected pair says so itself.
  if (!pair) {
    report.forEach((stat) => {
      if (stat.type === 'candidate-pair' && (stat.selected === true || (stat.nominated === true && stat.state === 'succeeded'))) pair ??= stat;
    });
  }
  return pair;
}

function totals(report: Report | undefined) {
  const sum = { received: 0, lost: 0, bytesIn: 0, bytesOut: 0, at: 0 };
  report?.forEach((stat) => {
    if (stat.type === 'inbound-rtp') {
      sum.received += num(stat.packetsReceived) ?? 0;
      sum.lost += Math.max(0, num(stat.packetsLost) ?? 0);
      sum.bytesIn += num(stat.bytesReceived) ?? 0;
      sum.at = Math.max(sum.at, stat.timestamp);
    } else if (stat.type === 'outbound-rtp') {
      sum.bytesOut += num(stat.bytesSent) ?? 0;
      sum.at = Math.max(sum.at, stat.timestamp);
    }
  });
  return sum;
}

/** What the video lines say: the video received (frames, size, rate) and what holds mine back. */
function videoLines(report: Report): Pick<LinkStats, 'video' | 'framesDecoded' | 'videoLimitedBy'> {
  const lines: Pick<LinkStats, 'video' | 'framesDecoded' | 'videoLimitedBy'> = { video: null, framesDecoded: 0, videoLimitedBy: null };
  report.forEach((stat) => {
    if (stat.kind !== 'video') return;
    if (stat.type === 'outbound-rtp') {
      // With a camera and a shared screen, bandwidth holding back either is what counts.
      if (typeof stat.qualityLimitationReason === 'string' && lines.videoLimitedBy !== 'bandwidth') lines.videoLimitedBy = stat.qualityLimitationReason;
    } else if (stat.type === 'inbound-rtp') {
      lines.framesDecoded += num(stat.framesDecoded) ?? 0;
      const width = num(stat.frameWidth);
      const height = num(stat.frameHeight);
      if (width && height) lines.video = { width, height, fps: Math.round(num(stat.framesPerSecond) ?? 0) };
    }
  });
  return lines;
}

export function grade(rttMs: number | null, lossPercent: number | null): LinkQuality {
  if (rttMs === null && lossPercent === null) return 'unknown';
  const rtt = rttMs ?? 0;
  const loss = lossPercent ?? 0;
  if (rtt < 300 && loss < 2) return 'good';
  if (rtt < 700 && loss < 8) return 'fair';
  return 'poor';
}

export function linkStats(report: Report, previous: Report | undefined): LinkStats {
  const pair = selectedPair(report);
  const candidateType = (id: unknown) => (typeof id === 'string' ? (report.get(id) as Stat | undefined)?.candidateType : undefined);
  const path: LinkPath | null = pair
    ? [candidateType(pair.localCandidateId), candidateType(pair.remoteCandidateId)].includes('relay') ? 'relay' : 'direct'
    : null;
  const rttSeconds = num(pair?.currentRoundTripTime);
  const now = totals(report);
  const before = totals(previous);
  const seconds = previous ? (now.at - before.at) / 1000 : 0;
  const expected = now.received + now.lost - (before.received + before.lost);
  const lossPercent = previous && expected > 0 ? Math.round(((now.lost - before.lost) / expected) * 1000) / 10 : null;
  const kbps = (bytes: number) => (seconds > 0 ? Math.round((bytes * 8) / seconds / 1000) : null);
  const { video, framesDecoded, videoLimitedBy } = videoLines(report);
  const available = num(pair?.availableOutgoingBitrate);
  const rttMs = rttSeconds === null ? null : Math.round(rttSeconds * 1000);
  return {
    path,
    rttMs,
    lossPercent,
    inKbps: kbps(now.bytesIn - before.bytesIn),
    outKbps: kbps(now.bytesOut - before.bytesOut),
    availableOutKbps: available === null ? null : Math.round(available / 1000),
    videoLimitedBy,
    video,
    framesDecoded,
    quality: pair ? grade(rttMs, lossPercent) : 'unknown',
  };
}
