import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkStats } from '../../src/client/rtc/link-stats.ts';

type Stat = Record<string, unknown> & { type: string; id: string; timestamp: number };
const report = (...stats: Stat[]) => new Map(stats.map((stat) => [stat.id, stat]));

/** Two Chromium reports a second apart: a relayed pair, video in and out. */
function reports(limitation: string | undefined) {
  const at = (timestamp: number, received: number, lost: number, bytesIn: number, bytesOut: number) =>
    report(
      { type: 'transport', id: 'T', timestamp, selectedCandidatePairId: 'P' },
      { type: 'candidate-pair', id: 'P', timestamp, localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.042, availableOutgoingBitrate: 1_234_000 },
      { type: 'local-candidate', id: 'L', timestamp, candidateType: 'relay' },
      { type: 'remote-candidate', id: 'R', timestamp, candidateType: 'host' },
      { type: 'inbound-rtp', id: 'I', timestamp, kind: 'video', packetsReceived: received, packetsLost: lost, bytesReceived: bytesIn, framesDecoded: 30, frameWidth: 640, frameHeight: 360, framesPerSecond: 24 },
      { type: 'outbound-rtp', id: 'O', timestamp, kind: 'video', bytesSent: bytesOut, ...(limitation ? { qualityLimitationReason: limitation } : {}) },
    );
  return [at(2000, 196, 4, 125_000, 62_500), at(1000, 100, 0, 0, 0)] as const;
}

test('link stats: route, round trip, loss, rates, what holds the video back', () => {
  const [now, before] = reports('bandwidth');
  const stats = linkStats(now, before);
  assert.equal(stats.path, 'relay');
  assert.equal(stats.rttMs, 42);
  assert.equal(stats.lossPercent, 4, '4 lost of 100 expected');
  assert.deepEqual([stats.inKbps, stats.outKbps, stats.availableOutKbps], [1000, 500, 1234]);
  assert.deepEqual(stats.video, { width: 640, height: 360, fps: 24 });
  assert.equal(stats.framesDecoded, 30);
  assert.equal(stats.quality, 'fair');
  assert.equal(stats.videoLimitedBy, 'bandwidth');
  assert.equal(linkStats(...reports('none')).videoLimitedBy, 'none');
  assert.equal(linkStats(...reports(undefined)).videoLimitedBy, null, 'a browser that does not say');
  assert.equal(linkStats(now, undefined).lossPercent, null, 'no loss before a second report');
});

test('link stats: with a camera and a shared screen, bandwidth holding back either is what counts', () => {
  const sending = (first: string, second: string) =>
    report(
      { type: 'outbound-rtp', id: 'camera', timestamp: 1000, kind: 'video', qualityLimitationReason: first },
      { type: 'outbound-rtp', id: 'screen', timestamp: 1000, kind: 'video', qualityLimitationReason: second },
      { type: 'outbound-rtp', id: 'mic', timestamp: 1000, kind: 'audio' },
    );
  assert.equal(linkStats(sending('bandwidth', 'cpu'), undefined).videoLimitedBy, 'bandwidth');
  assert.equal(linkStats(sending('none', 'bandwidth'), undefined).videoLimitedBy, 'bandwidth');
  assert.equal(linkStats(sending('none', 'cpu'), undefined).videoLimitedBy, 'cpu');
});
