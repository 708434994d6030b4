/**
 * Join-to-video in real browsers. Runs inside a loopback-only network
 * namespace (scripts/bench.mjs re-executes it there with `unshare -n`).
 *
 * Two browser contexts of Debian's Chromium with fake media, both signed in;
 * A is in the room. We measure from B's join action to the first remote
 * video frame presented (`requestVideoFrameCallback`) on both sides, and take
 * the later of the two. An init script (no change to src/) wraps
 * getUserMedia, WebSocket and RTCPeerConnection to timestamp each phase.
 *
 * Cases: cold (a fresh browser context navigates to the room and presses
 * Join the moment the button works: an instant user), warm (the pre-join
 * screen is already up, its camera preview playing and its socket open; the
 * clock starts at the Join click), and the floor: two peer connections in
 * one page, no server.
 */
import { chromium } from 'playwright-core';
import { QUICK, createRoom, createUsers, log, round, sleep, startServer, summarize, writeJson } from './lib/common.mjs';

const out = process.argv[2];
const TRIALS = Number(process.env.BENCH_JOIN_TRIALS) || (QUICK ? 3 : 15);
const WARMUP = 1;
const TRIAL_TIMEOUT_MS = 20_000;

const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/** Timestamps (Date.now(), the same clock as this process) for every phase, in window.__bench.events. */
const INSTRUMENT = () => {
  const bench = { events: [] };
  Object.defineProperty(window, '__bench', { value: bench, configurable: true });
  const mark = (name, extra) => bench.events.push({ name, t: Date.now(), ...extra });
  mark('document');

  const devices = navigator.mediaDevices;
  if (devices?.getUserMedia) {
    const original = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      mark('gum-start');
      const stream = await original(constraints);
      mark('gum-end');
      return stream;
    };
  }

  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark('ws-create');
      this.addEventListener('open', () => mark('ws-open'));
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        try {
          const message = JSON.parse(event.data);
          if (message.type === 'signal' && message.payload?.kind === 'description') mark(`signal-${message.payload.description.type}`);
          else if (message.type !== 'signal') mark(message.type);
        } catch {
          // not ours to judge
        }
      });
    }

    send(data) {
      if (typeof data === 'string' && data.startsWith('{"type":"join"')) mark('join-sent');
      return super.send(data);
    }
  };

  const remoteTracks = new Set();
  const NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePC {
    constructor(...args) {
      super(...args);
      mark('pc-create');
      let iceDone = false;
      this.addEventListener('iceconnectionstatechange', () => {
        const state = this.iceConnectionState;
        if (!iceDone && (state === 'connected' || state === 'completed')) {
          iceDone = true;
          mark('ice-connected');
        }
      });
      this.addEventListener('connectionstatechange', () => mark(`pc-${this.connectionState}`));
      // Audio's track event comes first, and the page may show the stream then: remember every kind.
      this.addEventListener('track', ({ track }) => {
        remoteTracks.add(track.id);
        if (track.kind === 'video') mark('track-video');
      });
    }

    async setLocalDescription(...args) {
      await super.setLocalDescription(...args);
      mark(`sld-${this.localDescription?.type}`);
      for (const sender of this.getSenders()) {
        const transport = sender.transport;
        if (transport && !transport.__benchWatched) {
          transport.__benchWatched = true;
          transport.addEventListener('statechange', () => mark(`dtls-${transport.state}`));
        }
      }
    }

    async setRemoteDescription(...args) {
      await super.setRemoteDescription(...args);
      mark(`srd-${this.remoteDescription?.type}`);
    }
  };

  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    get() {
      return srcObject.get.call(this);
    },
    set(stream) {
      srcObject.set.call(this, stream);
      const remote = stream && this instanceof HTMLVideoElement && stream.getTracks().some((t) => remoteTracks.has(t.id));
      if (remote && this.requestVideoFrameCallback) {
        this.requestVideoFrameCallback((_now, metadata) => mark('first-frame', { presentedFrames: metadata.presentedFrames }));
      }
    },
  });
};

/** For the cold case: presses Join as soon as the page enables it, as an instant user would. */
const AUTO_JOIN = () => {
  const tryJoin = () => {
    const button = document.querySelector('[data-action=join]');
    if (!button || button.disabled) return false;
    window.__bench?.events.push({ name: 'join-click', t: Date.now() });
    button.click();
    return true;
  };
  const observer = new MutationObserver(() => {
    if (tryJoin()) observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
};

const first = (events, name) => events.find((e) => e.name === name)?.t;
const later = (a, b) => (a === undefined || b === undefined ? undefined : Math.max(a, b));

/**
 * Milestones (ms after the join action) and the phases between them. ICE and
 * DTLS are B's (the joiner's, who offers); the first frame is the later of
 * the two sides. Events of different pages can arrive a few ms out of order,
 * so each milestone is at least the one before it.
 */
function analyse(t0, a, b) {
  const at = (t) => (t === undefined ? null : t - t0);
  const raw = {
    document: at(first(b, 'document')),
    appStart: at(first(b, 'gum-start')),
    gumDone: at(first(b, 'gum-end')),
    wsOpen: at(first(b, 'ws-open')),
    joinSent: at(first(b, 'join-sent')),
    joined: at(first(b, 'joined')),
    offerSent: at(first(b, 'sld-offer')),
    offerReceivedAtA: at(first(a, 'signal-offer')),
    offerSetAtA: at(first(a, 'srd-offer')),
    answerSent: at(first(a, 'sld-answer')),
    answerReceivedAtB: at(first(b, 'signal-answer')),
    answerSetAtB: at(first(b, 'srd-answer')),
    iceConnected: at(first(b, 'ice-connected')),
    dtlsConnected: at(first(b, 'dtls-connected') ?? first(b, 'pc-connected')),
    firstFrameA: at(first(a, 'first-frame')),
    firstFrameB: at(first(b, 'first-frame')),
  };
  raw.firstFrame = raw.firstFrameA === null || raw.firstFrameB === null ? null : Math.max(raw.firstFrameA, raw.firstFrameB);
  const order = ['appStart', 'gumDone', 'wsOpen', 'joinSent', 'joined', 'offerSent', 'offerReceivedAtA', 'offerSetAtA', 'answerSent', 'answerReceivedAtB', 'answerSetAtB', 'iceConnected', 'dtlsConnected', 'firstFrame'];
  const m = {};
  let previous = 0;
  for (const key of order) {
    m[key] = raw[key] === null ? null : Math.max(previous, raw[key]);
    if (m[key] !== null) previous = m[key];
  }
  const diff = (x, y) => (x === null || y === null ? null : x - y);
  const phases = {
    'page load (to app start)': m.appStart,
    getUserMedia: diff(m.gumDone, m.appStart),
    'WebSocket join': diff(m.joined, m.gumDone),
    offer: diff(m.offerSetAtA, m.joined),
    answer: diff(m.answerSetAtB, m.offerSetAtA),
    'ICE connected': diff(m.iceConnected, m.answerSetAtB),
    'DTLS connected': diff(m.dtlsConnected, m.iceConnected),
    'first frame': diff(m.firstFrame, m.dtlsConnected),
  };
  const detail = {
    'navigation → document (cold only)': raw.document !== null && raw.document >= 0 ? raw.document : null,
    'document → app start': raw.document !== null && raw.document >= 0 ? diff(m.appStart, raw.document) : null,
    'WebSocket open (gUM done → open)': diff(m.wsOpen, m.gumDone),
    'join round trip (join sent → joined)': diff(m.joined, m.joinSent),
    'offer created at B (joined → sent)': diff(m.offerSent, m.joined),
    'offer through the server (B sent → A received)': diff(m.offerReceivedAtA, m.offerSent),
    'setRemoteDescription(offer) at A': diff(m.offerSetAtA, m.offerReceivedAtA),
    'answer created at A': diff(m.answerSent, m.offerSetAtA),
    'answer through the server (A sent → B received)': diff(m.answerReceivedAtB, m.answerSent),
    'setRemoteDescription(answer) at B': diff(m.answerSetAtB, m.answerReceivedAtB),
    'first frame at B (after DTLS)': diff(raw.firstFrameB, m.dtlsConnected),
    'first frame at A (after DTLS)': diff(raw.firstFrameA, m.dtlsConnected),
  };
  return { total: raw.firstFrame, milestones: { ...raw }, phases, detail };
}

async function waitForEvents(page, names, deadline) {
  for (;;) {
    const events = await page.evaluate(() => window.__bench?.events ?? []).catch(() => []);
    if (names.every((n) => events.some((e) => e.name === n))) return events;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${names.join(', ')}: saw ${JSON.stringify(events.slice(-12))}`);
    await sleep(20);
  }
}

const resetEvents = (page) => page.evaluate(() => {
  window.__bench.events = [];
});

async function main() {
  const server = await startServer({ label: 'join' });
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: FLAGS });
  const result = { definition: 'From B\'s join action (Node-side Date.now() just before the CDP navigate/click) to the first remote video frame presented (requestVideoFrameCallback) on both A and B; the later of the two. Phase boundaries are timestamped in the pages by an init script wrapping getUserMedia, WebSocket and RTCPeerConnection.', trials: TRIALS, warmup: WARMUP, cases: [] };
  try {
    const [alice, bob] = await createUsers(server.origin, 2, { prefix: 'join', login: true });
    const roomId = await createRoom(server.origin, alice, 'join bench');
    const roomUrl = `${server.origin}/room/${roomId}`;
    const contextFor = async (user, { autoJoin = false } = {}) => {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 } });
      const [name, value] = user.cookie.split('=');
      await context.addCookies([{ name, value, url: server.origin }]);
      await context.addInitScript(INSTRUMENT);
      if (autoJoin) await context.addInitScript(AUTO_JOIN);
      return context;
    };
    const pageA = await (await contextFor(alice, { autoJoin: true })).newPage();
    await pageA.goto(roomUrl);
    await waitForEvents(pageA, ['joined'], Date.now() + 15_000);

    /** Runs one join: `act` performs B's join action; returns the analysis. */
    const trial = async (pageB, act) => {
      await resetEvents(pageA);
      const t0 = Date.now();
      await act();
      const deadline = Date.now() + TRIAL_TIMEOUT_MS;
      const [a, b] = await Promise.all([waitForEvents(pageA, ['first-frame', 'srd-offer'], deadline), waitForEvents(pageB, ['first-frame', 'joined'], deadline)]);
      await sleep(300); // late connection-state events
      const [a2, b2] = await Promise.all([pageA.evaluate(() => window.__bench.events), pageB.evaluate(() => window.__bench.events)]);
      return analyse(t0, a2.length >= a.length ? a2 : a, b2.length >= b.length ? b2 : b);
    };
    const leave = async (pageB) => {
      await resetEvents(pageA);
      await pageB.locator('[data-action=leave]').click();
      await waitForEvents(pageA, ['peer-left'], Date.now() + 10_000);
      await sleep(200);
    };

    // Cold: a new browser context (empty cache) navigates to the room and joins at once.
    const cold = [];
    for (let i = 0; i < WARMUP + TRIALS; i += 1) {
      const context = await contextFor(bob, { autoJoin: true });
      const pageB = await context.newPage();
      try {
        const analysis = await trial(pageB, () => pageB.goto(roomUrl, { waitUntil: 'commit' }));
        if (i >= WARMUP) cold.push(analysis);
        log(`  cold ${i < WARMUP ? 'warm-up' : i}: ${analysis.total} ms`);
        await leave(pageB);
      } catch (error) {
        log(`  cold trial ${i} failed: ${error.message}`);
        if (i >= WARMUP) cold.push({ total: null, failed: String(error.message) });
      } finally {
        await context.close();
      }
    }
    result.cases.push(caseSummary('cold page (navigate to the room, press Join at once)', cold, 'median ≤ 500 ms, p95 ≤ 800 ms'));

    // Warm: the pre-join screen is up, its preview playing and its socket open; the clock starts at Join.
    const warmContext = await contextFor(bob);
    const pageW = await warmContext.newPage();
    const warm = [];
    for (let i = 0; i < WARMUP + TRIALS; i += 1) {
      try {
        // A fresh page each trial (a failed trial leaves the call by navigating away).
        await pageW.goto(roomUrl);
        await waitForEvents(pageW, ['gum-end', 'ws-open'], Date.now() + 15_000);
        const analysis = await trial(pageW, () => pageW.evaluate(() => document.querySelector('[data-action=join]').click()));
        if (i >= WARMUP) warm.push(analysis);
        log(`  warm ${i < WARMUP ? 'warm-up' : i}: ${analysis.total} ms`);
        await leave(pageW);
      } catch (error) {
        log(`  warm trial ${i} failed: ${error.message}`);
        if (i >= WARMUP) warm.push({ total: null, failed: String(error.message) });
      }
    }
    await warmContext.close();
    result.cases.push(caseSummary('warm page (pre-join)', warm, 'median ≤ 250 ms'));

    // Floor: two peer connections in one page, no server, no signalling.
    const floorContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const floorPage = await floorContext.newPage();
    await floorPage.goto(`${server.origin}/health`);
    for (const withGum of [false, true]) {
      const totals = [];
      for (let i = 0; i < WARMUP + TRIALS; i += 1) {
        const total = await floorPage.evaluate(floorTrial, { withGum });
        if (i >= WARMUP) totals.push({ total });
      }
      result.cases.push(caseSummary(withGum ? 'floor incl. getUserMedia (one page, no server)' : 'floor (one page, no server, media already captured)', totals));
      log(`  floor${withGum ? ' incl. gUM' : ''}: median ${summarize(totals.map((t) => t.total)).p50} ms`);
    }
    await floorContext.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  writeJson(out, result);
}

/** In the page: pc1 ⇄ pc2 with both sending the fake camera; ms from creating them to a frame presented on both. */
async function floorTrial({ withGum }) {
  const constraints = { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } } };
  window.__floorStream ??= await navigator.mediaDevices.getUserMedia(constraints);
  const t0 = performance.now();
  const stream = withGum ? await navigator.mediaDevices.getUserMedia(constraints) : window.__floorStream;
  const pcs = [new RTCPeerConnection(), new RTCPeerConnection()];
  const videos = [document.createElement('video'), document.createElement('video')];
  const frames = videos.map((video, i) => {
    video.autoplay = true;
    video.muted = true;
    video.width = 320;
    document.body.append(video);
    return new Promise((resolve) => {
      pcs[i].addEventListener('track', ({ streams, track }) => {
        if (track.kind !== 'video' || video.srcObject) return;
        video.srcObject = streams[0];
        video.requestVideoFrameCallback(() => resolve(performance.now()));
      });
    });
  });
  pcs[0].addEventListener('icecandidate', ({ candidate }) => candidate && pcs[1].addIceCandidate(candidate));
  pcs[1].addEventListener('icecandidate', ({ candidate }) => candidate && pcs[0].addIceCandidate(candidate));
  for (const pc of pcs) for (const track of stream.getTracks()) pc.addTrack(track, stream);
  await pcs[0].setLocalDescription();
  await pcs[1].setRemoteDescription(pcs[0].localDescription);
  await pcs[1].setLocalDescription();
  await pcs[0].setRemoteDescription(pcs[1].localDescription);
  const times = await Promise.race([Promise.all(frames), new Promise((r) => setTimeout(() => r(null), 15_000))]);
  for (const pc of pcs) pc.close();
  for (const video of videos) video.remove();
  if (withGum) for (const track of stream.getTracks()) track.stop();
  return times ? Math.max(...times) - t0 : null;
}

function caseSummary(name, trials, target) {
  const ok = trials.filter((t) => t.total !== null && t.total !== undefined);
  const summary = { name, trials: ok.length, failed: trials.length - ok.length, totalMs: summarize(ok.map((t) => t.total)), target: target ?? null, raw: ok.map((t) => t.total) };
  if (ok[0]?.phases) {
    const medianOf = (pick) => {
      const values = ok.map(pick).filter((v) => v !== null && v !== undefined).sort((x, y) => x - y);
      return values.length === 0 ? null : round(values[values.length >> 1], 1);
    };
    summary.phasesMedianMs = Object.fromEntries(Object.keys(ok[0].phases).map((k) => [k, medianOf((t) => t.phases[k])]));
    summary.detailMedianMs = Object.fromEntries(Object.keys(ok[0].detail).map((k) => [k, medianOf((t) => t.detail[k])]));
    summary.milestonesMedianMs = Object.fromEntries(Object.keys(ok[0].milestones).map((k) => [k, medianOf((t) => t.milestones[k])]));
  }
  return summary;
}

await main();
