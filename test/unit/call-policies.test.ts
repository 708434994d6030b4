/** The browser's pure call policies: tile layout, the mesh's bitrate shares, the verification code, the chat log's bookkeeping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestGrid } from '../../src/client/room/layout.ts';
import { AUDIO_BPS, MAX_CAMERA_BPS, MIN_CAMERA_BPS, WEAK_RETRY_MS, senderLimits, weakLink } from '../../src/client/rtc/bandwidth.ts';
import { fingerprintsOf, verificationCode } from '../../src/client/rtc/verification.ts';
import { ChatLog, HISTORY_ANSWER_TIMEOUT_MS } from '../../src/client/rtc/chat-log.ts';

const WIDE = 16 / 9;

test('tiles keep their aspect and use the space well, on a desktop and on a phone', () => {
  // Two people at 1280x800 minus the bars: side by side, landscape, not tall portraits.
  const two = bestGrid(1264, 640, 2, WIDE);
  assert.equal(two.columns, 2);
  assert.ok(Math.abs(two.tileWidth / two.tileHeight - WIDE) < 0.02);
  assert.ok(two.tileWidth > 600, `${two.tileWidth}`);
  // A phone held upright stacks them.
  const phone = bestGrid(344, 560, 2, WIDE);
  assert.equal(phone.columns, 1);
  assert.ok(phone.tileWidth >= 340);
  // Six on a desktop: 3 x 2; on a phone in landscape, 3 x 2 as well.
  assert.deepEqual([bestGrid(1264, 640, 6, WIDE).columns, bestGrid(1264, 640, 6, WIDE).rows], [3, 2]);
  assert.equal(bestGrid(740, 280, 6, WIDE).rows, 2);
  for (let count = 1; count <= 9; count += 1) {
    for (const [w, h] of [[1264, 640], [344, 560], [740, 280], [900, 900]] as const) {
      const layout = bestGrid(w, h, count, WIDE);
      assert.ok(layout.columns * layout.rows >= count);
      assert.ok(layout.columns * (layout.tileWidth + 8) - 8 <= w + 1 && layout.rows * (layout.tileHeight + 8) - 8 <= h + 1, `${count} tiles fit ${w}x${h}`);
    }
  }
  assert.equal(bestGrid(0, 0, 3, WIDE).tileWidth, 0);
});

test("each sender's share of the upload budget falls as the room fills, and a shared screen comes first", () => {
  const budget = 2_500_000;
  const rates = [1, 2, 3, 4, 5].map((peers) => senderLimits(peers, budget, false).camera.maxBitrate);
  assert.deepEqual([...rates].sort((a, b) => b - a), rates, 'non-increasing with more peers');
  assert.equal(rates[0], MAX_CAMERA_BPS, 'one peer: capped, not the whole budget');
  assert.ok(rates[4]! < 500_000);
  for (const peers of [1, 2, 3, 4, 5]) {
    const limits = senderLimits(peers, budget, false);
    assert.ok(peers * (limits.camera.maxBitrate + AUDIO_BPS) <= budget, 'the budget holds');
  }
  assert.equal(senderLimits(5, budget, false).camera.scaleResolutionDownBy, 1);
  assert.ok(senderLimits(5, 1_500_000, false).camera.scaleResolutionDownBy > 1, 'fewer pixels at a low rate');
  const sharing = senderLimits(2, budget, true);
  assert.ok(sharing.screen.maxBitrate > sharing.camera.maxBitrate, 'the screen gets the larger part');
  const weak = senderLimits(5, 500_000, false);
  assert.equal(weak.camera.active, false, 'too little for video: audio only');
  assert.ok(senderLimits(1, 500_000, false).camera.active);
  assert.ok(senderLimits(1, 500_000, false).camera.maxBitrate >= MIN_CAMERA_BPS);
});

test('a weak link goes audio-only after three weak readings, and tries video again after a while', () => {
  const now = 1_000_000;
  const held = (estimateBps: number) => ({ estimateBps, limitedByBandwidth: true });
  assert.equal(weakLink([held(90_000), held(80_000)], null, now), false, 'two readings are not enough');
  assert.equal(weakLink([held(500_000), held(90_000), held(80_000), held(70_000)], null, now), true);
  assert.equal(weakLink([held(90_000), held(500_000), held(80_000)], null, now), false, 'one good reading resets it');
  // A still or small picture sends little, so the browser estimates little: not weak while the video is not held back.
  const free = (estimateBps: number) => ({ estimateBps, limitedByBandwidth: false });
  assert.equal(weakLink([free(90_000), free(80_000), free(70_000)], null, now), false, 'low estimate, video not held back');
  assert.equal(weakLink([held(90_000), free(80_000), held(70_000)], null, now), false);
  const unsaid = (estimateBps: number) => ({ estimateBps, limitedByBandwidth: null });
  assert.equal(weakLink([unsaid(90_000), unsaid(80_000), unsaid(70_000)], null, now), true, 'where the browser does not say, the estimate decides');
  assert.equal(weakLink([], now - 1000, now), true, 'stays audio-only for a while');
  assert.equal(weakLink([], now - WEAK_RETRY_MS, now), false, 'then video is tried again');
  assert.equal(senderLimits(1, 2_500_000, false, true).camera.active, false);
});

const sdpWith = (...fingerprints: string[]) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', ...fingerprints.map((f) => `a=fingerprint:sha-256 ${f}`), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', ''].join('\r\n');
const A = 'AB:CD:'.repeat(15) + 'EF';
const B = '12:34:'.repeat(15) + '56';
const M = '99:88:'.repeat(15) + '77';

test('both ends compute the same verification code; a replaced fingerprint changes it', async () => {
  assert.deepEqual(fingerprintsOf(sdpWith(A.toLowerCase())), [`sha-256 ${A}`]);
  const alice = await verificationCode(sdpWith(A), sdpWith(B));
  const bob = await verificationCode(sdpWith(B), sdpWith(A));
  assert.match(alice ?? '', /^\d{4} \d{4}$/);
  assert.equal(alice, bob);
  // A server in the middle gives each side its own certificate's fingerprint instead of the other's.
  assert.notEqual(await verificationCode(sdpWith(A), sdpWith(M)), await verificationCode(sdpWith(B), sdpWith(M)));
  assert.notEqual(await verificationCode(sdpWith(A), sdpWith(M)), alice);
  assert.equal(await verificationCode(sdpWith(A), undefined), null);
});

test('the chat log does not ask again for messages the room no longer keeps', () => {
  const message = (seq: number) => ({ seq, clientId: `c${seq}`, userId: 'u', username: 'u', text: String(seq), sentAt: seq });
  const log = new ChatLog('outbox:test');
  log.startAt([message(3)]);
  log.add(message(3));
  assert.equal(log.contiguousSeq, 3);
  // Back after a while: messages 4 to 9 went with the room's retention, 10 and 11 are kept.
  log.add(message(10));
  log.add(message(11));
  assert.equal(log.hasGap, true, 'before it knows where the room starts, 4 to 9 look missing');
  log.keptFrom(10);
  assert.deepEqual([log.contiguousSeq, log.hasGap], [11, false]);
  log.keptFrom(2);
  assert.equal(log.contiguousSeq, 11, 'never moves back');

  const pending = log.queue('over the allowance');
  assert.equal(log.drop(pending.clientId)?.text, 'over the allowance');
  assert.deepEqual(log.pending(), [], 'a refused message is not resent');
});

test('the chat log asks for missing messages one request at a time, and again when the answer is lost', () => {
  const message = (seq: number) => ({ seq, clientId: `c${seq}`, userId: 'u', username: 'u', text: String(seq), sentAt: seq });
  const log = new ChatLog('outbox:history-test');
  log.startAt([message(1)]);
  log.add(message(1));
  assert.equal(log.historyToFetch(0), undefined, 'nothing missing');
  log.add(message(5));
  assert.equal(log.historyToFetch(0), 1, 'a gap: ask from what is contiguous');
  log.historyAsked(0);
  assert.equal(log.historyToFetch(HISTORY_ANSWER_TIMEOUT_MS - 1), undefined, 'one request in flight');
  // The request (or its answer) vanished: the server dropped it over its rate limit.
  assert.equal(log.historyToFetch(HISTORY_ANSWER_TIMEOUT_MS), 1, 'asked again once it is overdue');
  const t = HISTORY_ANSWER_TIMEOUT_MS;
  log.historyAsked(t);
  log.historyRefused(1000, t + 10);
  assert.equal(log.historyToFetch(t + 999), undefined, 'refused: not again before the retry time');
  assert.equal(log.historyToFetch(t + 1010), 1, 'then asked again');
  log.historyAsked(t + 1010);
  // A page that fills the gap but says more follows: keep asking from its end.
  log.historyAnswered(true);
  [2, 3, 4].forEach((seq) => log.add(message(seq)));
  assert.equal(log.historyToFetch(t + 1010), 5);
  log.historyAnswered(false);
  assert.equal(log.historyToFetch(t + 1010), undefined, 'the last page: done');
});
