/**
 * The load generator: a child process (pinned to its own CPU by the parent)
 * holding thousands of real signalling WebSockets that joined through the
 * real protocol. Driven over IPC by bench/signalling.mjs, bench/chat.mjs and
 * bench/multiprocess.mjs:
 *
 *   connect {rooms: [{roomId, members: [{cookie, origin}]}]}  → connected
 *   signal  {ratePerConn, warmMs, measureMs, drainMs}          → result
 *   chat    {rate, warmMs, measureMs, drainMs}                 → result
 *   close                                                       → closed
 *
 * Relay latency is measured inside this process: each message carries its
 * send time (performance.now()), and the receiving socket (also here)
 * subtracts it. This process's own event-loop delay is reported with the
 * result, since it adds to every latency measured here.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** Connections opened at once while ramping up. */
const CONNECT_CONCURRENCY = 64;
/** The send schedule ticks this often, in milliseconds. */
const TICK_MS = 5;
/** Most sends one tick may catch up on; beyond it the generator is behind and the excess is skipped (and counted). */
const MAX_CATCH_UP_MS = 100;
/** Longest time a connect/close step may take, in milliseconds. */
const STEP_DEADLINE_MS = 180_000;
/** Local source addresses (all loopback) spread the client sockets over, so ephemeral ports do not run out. */
const SOURCE_ADDRESSES = 100;

const MARK = Buffer.from('@@');
const M = 'M'.charCodeAt(0);

/** ~200-byte candidate frame and ~3 KB offer frame, like a browser's. */
const CANDIDATE_BODY = 'candidate:842163049 1 udp 1677729535 127.0.0.1 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag aB3d network-cost 999';
const SDP = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=extmap-allow-mixed', 'a=msid-semantic: WMS 0d0b0f43-5a6e-4b5e-9c27-6b1f1e2a9c11',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:aB3d', 'a=ice-pwd:Qm5n3Yx1Wf7Kp2Lr9Tz4Vb8H', 'a=ice-options:trickle',
  'a=fingerprint:sha-256 3A:9F:11:C4:5E:72:8B:0D:E6:21:94:AF:3C:58:D7:02:6B:91:E4:1F:C8:35:7A:BD:60:2E:F9:44:83:1C:D6:5B', 'a=setup:actpass', 'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level', 'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=sendrecv', 'a=msid:0d0b0f43-5a6e-4b5e-9c27-6b1f1e2a9c11 7c1f5e2b-2a44-4f0e-8d61-0c5e1b9a3f72', 'a=rtcp-mux', 'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:13 CN/8000', 'a=rtpmap:110 telephone-event/48000', 'a=rtpmap:126 telephone-event/8000', 'a=ssrc:1379260146 cname:Zr3kQ8pW1xY5vB2n',
  'a=ssrc:1379260146 msid:0d0b0f43-5a6e-4b5e-9c27-6b1f1e2a9c11 7c1f5e2b-2a44-4f0e-8d61-0c5e1b9a3f72',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 114', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:aB3d',
  'a=ice-pwd:Qm5n3Yx1Wf7Kp2Lr9Tz4Vb8H', 'a=ice-options:trickle', 'a=fingerprint:sha-256 3A:9F:11:C4:5E:72:8B:0D:E6:21:94:AF:3C:58:D7:02:6B:91:E4:1F:C8:35:7A:BD:60:2E:F9:44:83:1C:D6:5B',
  'a=setup:actpass', 'a=mid:1', 'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset', 'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 'a=extmap:13 urn:3gpp:video-orientation',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type', 'a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
  'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 'a=sendrecv', 'a=msid:0d0b0f43-5a6e-4b5e-9c27-6b1f1e2a9c11 b2e81c6d-91f3-4a07-a5d2-3e6f0c8b7d14', 'a=rtcp-mux', 'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 goog-remb', 'a=rtcp-fb:96 transport-cc', 'a=rtcp-fb:96 ccm fir', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 goog-remb', 'a=rtcp-fb:102 transport-cc', 'a=rtcp-fb:102 ccm fir', 'a=rtcp-fb:102 nack', 'a=rtcp-fb:102 nack pli',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f', 'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102', 'a=rtpmap:104 H264/90000', 'a=rtcp-fb:104 goog-remb',
  'a=rtcp-fb:104 transport-cc', 'a=rtcp-fb:104 ccm fir', 'a=rtcp-fb:104 nack', 'a=rtcp-fb:104 nack pli', 'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:105 rtx/90000', 'a=fmtp:105 apt=104', 'a=rtpmap:106 H264/90000', 'a=rtcp-fb:106 goog-remb', 'a=rtcp-fb:106 transport-cc', 'a=rtcp-fb:106 ccm fir', 'a=rtcp-fb:106 nack',
  'a=rtcp-fb:106 nack pli', 'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', 'a=rtpmap:107 rtx/90000', 'a=fmtp:107 apt=106', 'a=rtpmap:108 VP9/90000',
  'a=rtcp-fb:108 goog-remb', 'a=rtcp-fb:108 transport-cc', 'a=rtcp-fb:108 ccm fir', 'a=rtcp-fb:108 nack', 'a=rtcp-fb:108 nack pli', 'a=fmtp:108 profile-id=0', 'a=rtpmap:109 rtx/90000',
  'a=fmtp:109 apt=108', 'a=rtpmap:45 AV1/90000', 'a=rtcp-fb:45 goog-remb', 'a=rtcp-fb:45 transport-cc', 'a=rtcp-fb:45 ccm fir', 'a=rtcp-fb:45 nack', 'a=rtcp-fb:45 nack pli',
  'a=ssrc-group:FID 2231627014 1397829375', 'a=ssrc:2231627014 cname:Zr3kQ8pW1xY5vB2n',
].join('\r\n') + '\r\n';
/** The SDP as it appears inside a JSON string. */
const SDP_JSON = JSON.stringify(SDP).slice(1, -1);

/** @type {Array<{ws: WebSocket, roomId: string, peerId: string, peers: string[], k: number, open: boolean, closedUnexpectedly: boolean}>} */
const conns = [];
let mode = 'idle';
let recorder = newRecorder(0);
const errors = {};
let unexpectedCloses = 0;
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();

/** Width of the slices of receipt time in which the worst latency is kept, in milliseconds. */
const SLICE_MS = 100;

function newRecorder(capacity) {
  return { latencies: new Float64Array(capacity), count: 0, received: 0, allLatencies: new Float64Array(capacity), allCount: 0, worstBySlice: new Map() };
}

function record(latency) {
  recorder.received += 1;
  if (recorder.count < recorder.latencies.length) recorder.latencies[recorder.count++] = latency;
  // Whether the tail is a few stalls or spread out: the worst latency per slice of time.
  const slice = Math.floor(performance.now() / SLICE_MS);
  const worst = recorder.worstBySlice.get(slice);
  if (worst === undefined || latency > worst) recorder.worstBySlice.set(slice, latency);
}

/** How many slices of receipt time had a message over `limitMs`, and the worst few (ms since the first slice). */
function stallSummary(limitMs) {
  const slices = [...recorder.worstBySlice];
  if (slices.length === 0) return { slicesMs: SLICE_MS, over: 0, of: 0, worst: [] };
  const first = slices[0][0];
  const over = slices.filter(([, worst]) => worst > limitMs);
  const worst = over.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([slice, ms]) => ({ atMs: (slice - first) * SLICE_MS, worstMs: Math.round(ms) }));
  return { slicesMs: SLICE_MS, over: over.length, of: slices.length, worst };
}

function handleControl(conn, text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  switch (message.type) {
    case 'joined':
      conn.peerId = message.selfId;
      for (const peer of message.peers) if (!conn.peers.includes(peer.peerId)) conn.peers.push(peer.peerId);
      conn.joinedResolve?.();
      return;
    case 'peer-joined':
      if (!conn.peers.includes(message.peer.peerId)) conn.peers.push(message.peer.peerId);
      return;
    case 'peer-left':
      conn.peers = conn.peers.filter((p) => p !== message.peerId);
      return;
    case 'chat':
      if (mode === 'chat') onChat(message.message);
      return;
    case 'error':
      errors[message.code] = (errors[message.code] ?? 0) + 1;
      return;
    default:
  }
}

function onMessage(conn, data) {
  if (mode === 'signal') {
    const i = data.indexOf(MARK);
    if (i >= 0) {
      const end = data.indexOf(MARK, i + 3);
      const sentAt = Number(data.toString('latin1', i + 3, end));
      if (data[i + 2] === M) record(performance.now() - sentAt);
      return;
    }
  }
  handleControl(conn, data.toString());
}

function openOne(index, roomId, member) {
  return new Promise((resolve) => {
    const url = `${member.origin.replace('http', 'ws')}/ws/${roomId}`;
    const ws = new WebSocket(url, {
      headers: { cookie: member.cookie, origin: member.origin },
      perMessageDeflate: false,
      localAddress: `127.0.1.${(index % SOURCE_ADDRESSES) + 1}`,
    });
    const conn = { ws, roomId, peerId: '', peers: [], k: 0, open: false, closing: false };
    const timer = setTimeout(() => finish(false, 'timeout'), 30_000);
    let done = false;
    function finish(ok, why) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!ok) {
        errors[`connect-${why}`] = (errors[`connect-${why}`] ?? 0) + 1;
        ws.terminate();
      }
      resolve(ok ? conn : undefined);
    }
    conn.joinedResolve = () => finish(true);
    ws.on('open', () => {
      conn.open = true;
      ws.send(JSON.stringify({ type: 'join', version: 1, media: { audio: true, video: true } }));
    });
    ws.on('message', (data) => onMessage(conn, data));
    ws.on('unexpected-response', (_req, res) => finish(false, `http-${res.statusCode}`));
    ws.on('error', () => finish(false, 'error'));
    ws.on('close', () => {
      if (!conn.closing && conn.open) unexpectedCloses += 1;
      conn.open = false;
      finish(false, 'closed');
    });
  });
}

async function connect({ rooms }) {
  const started = performance.now();
  const jobs = [];
  for (const room of rooms) for (const member of room.members) jobs.push({ roomId: room.roomId, member });
  let next = 0;
  let failed = 0;
  const base = conns.length;
  const opened = [];
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, jobs.length) }, async () => {
    while (next < jobs.length && performance.now() - started < STEP_DEADLINE_MS) {
      const i = next++;
      const conn = await openOne(base + i, jobs[i].roomId, jobs[i].member);
      if (conn) opened.push(conn);
      else failed += 1;
    }
  }));
  conns.push(...opened);
  // Everyone must know every other member of their room before the load starts.
  const sizes = new Map();
  for (const room of rooms) sizes.set(room.roomId, room.members.length);
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && opened.some((c) => c.peers.length < sizes.get(c.roomId) - 1)) await new Promise((r) => setTimeout(r, 50));
  const incomplete = opened.filter((c) => c.peers.length < sizes.get(c.roomId) - 1).length;
  return { connections: conns.length, opened: opened.length, failed, incomplete, seconds: (performance.now() - started) / 1000 };
}

/** Sends `total` messages per second spread evenly over every connection, calling `sendOne(conn, phase, now)`. */
function schedule({ total, warmMs, measureMs }, sendOne) {
  return new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    let skipped = 0;
    let rr = 0;
    let measureStart = null;
    const usage = { cpu: null };
    const timer = setInterval(() => {
      const now = performance.now();
      const elapsed = now - start;
      if (elapsed >= warmMs + measureMs) {
        clearInterval(timer);
        const cpu = process.cpuUsage(usage.cpu);
        resolve({ skipped, cpuSeconds: (cpu.user + cpu.system) / 1e6, eldMaxMs: eld.max / 1e6, measureSeconds: (now - measureStart) / 1000 });
        return;
      }
      const phase = elapsed < warmMs ? 'W' : 'M';
      if (phase === 'M' && measureStart === null) {
        measureStart = now;
        usage.cpu = process.cpuUsage();
        eld.reset();
      }
      let due = Math.floor((total * elapsed) / 1000) - sent;
      const cap = Math.ceil((total * MAX_CATCH_UP_MS) / 1000);
      if (due > cap) {
        if (phase === 'M') skipped += due - cap;
        sent += due - cap;
        due = cap;
      }
      for (let n = 0; n < due; n += 1) {
        const conn = conns[rr++ % conns.length];
        sent += 1;
        if (conn.open) sendOne(conn, phase, now);
      }
    }, TICK_MS);
  });
}

let sentMeasured = 0;

function sendSignal(conn, phase, now) {
  if (conn.peers.length === 0) return;
  const to = conn.peers[conn.k % conn.peers.length];
  const offer = conn.k % 5 === 0;
  conn.k += 1;
  const tag = `@@${phase}${now.toFixed(3)}@@`;
  const text = offer
    ? `{"type":"signal","to":"${to}","payload":{"kind":"description","description":{"type":"offer","sdp":"${SDP_JSON}a=x-bench:${tag}\\r\\n"}}}`
    : `{"type":"signal","to":"${to}","payload":{"kind":"candidate","candidate":{"candidate":"${CANDIDATE_BODY} ${tag}","sdpMid":"0","sdpMLineIndex":0}}}`;
  conn.ws.send(text);
  if (phase === 'M') sentMeasured += 1;
}

/** Chat messages in flight: clientId → when sent, whether measured, and how many deliveries are still due. */
const pendingChat = new Map();
let chatSeq = 0;
let roomSizes = new Map();

function sendChat(conn, phase, now) {
  chatSeq += 1;
  const clientId = `chat-${process.pid}-${String(chatSeq).padStart(8, "0")}`;
  pendingChat.set(clientId, { sentAt: now, measured: phase === 'M', remaining: roomSizes.get(conn.roomId) ?? 1 });
  conn.ws.send(`{"type":"chat","clientId":"${clientId}","text":"bench message ${chatSeq}: the quick brown fox jumps over the lazy dog"}`);
  if (phase === 'M') sentMeasured += 1;
}

function onChat(message) {
  const entry = pendingChat.get(message.clientId);
  if (!entry) return;
  const latency = performance.now() - entry.sentAt;
  if (entry.measured) record(latency);
  entry.remaining -= 1;
  if (entry.remaining === 0) {
    pendingChat.delete(message.clientId);
    if (entry.measured && recorder.allCount < recorder.allLatencies.length) recorder.allLatencies[recorder.allCount++] = latency;
  }
}

function stats(array, count) {
  const sorted = array.slice(0, count).sort();
  const at = (p) => (count === 0 ? null : Math.round(sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] * 100) / 100);
  return { n: count, p50: at(50), p99: at(99), p999: at(99.9), max: at(100) };
}

async function run(kind, options) {
  const perSecond = kind === 'signal' ? options.ratePerConn * conns.length : options.rate;
  const expected = Math.ceil((perSecond * options.measureMs) / 1000);
  const fanout = kind === 'chat' ? Math.max(...roomSizes.values(), 1) : 1;
  recorder = newRecorder(expected * fanout + 1000);
  sentMeasured = 0;
  pendingChat.clear();
  for (const key of Object.keys(errors)) delete errors[key];
  unexpectedCloses = 0;
  mode = kind;
  const timing = await schedule({ total: perSecond, warmMs: options.warmMs, measureMs: options.measureMs }, kind === 'signal' ? sendSignal : sendChat);
  await new Promise((r) => setTimeout(r, options.drainMs));
  mode = 'idle';
  const deliveriesExpected = kind === 'chat' ? [...pendingChat.values()].length : 0;
  let undelivered = 0;
  for (const entry of pendingChat.values()) if (entry.measured) undelivered += 1;
  const result = {
    kind,
    connections: conns.filter((c) => c.open).length,
    offeredPerSecond: perSecond,
    sentMeasured,
    sentPerSecond: sentMeasured / timing.measureSeconds,
    received: recorder.received,
    latencyMs: stats(recorder.latencies, recorder.count),
    generator: { cpuPercent: Math.round((timing.cpuSeconds / timing.measureSeconds) * 1000) / 10, eventLoopDelayMaxMs: Math.round(timing.eldMaxMs * 10) / 10, skippedSends: timing.skipped },
    errors: { ...errors },
    unexpectedCloses,
  };
  if (kind === 'signal') {
    result.lost = Math.max(0, sentMeasured - recorder.received);
    result.slicesOver50Ms = stallSummary(50);
  } else {
    result.allDeliveredLatencyMs = stats(recorder.allLatencies, recorder.allCount);
    result.lost = undelivered;
    result.stillPending = deliveriesExpected;
  }
  pendingChat.clear();
  return result;
}

async function closeAll() {
  for (const conn of conns) {
    conn.closing = true;
    if (conn.open) conn.ws.close(1000, 'bench done');
  }
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline && conns.some((c) => c.open)) await new Promise((r) => setTimeout(r, 50));
  for (const conn of conns) if (conn.open) conn.ws.terminate();
  const count = conns.length;
  conns.length = 0;
  return { closed: count };
}

process.on('message', async (message) => {
  try {
    let reply;
    if (message.cmd === 'connect') {
      for (const room of message.rooms) roomSizes.set(room.roomId, room.members.length);
      reply = await connect(message);
    } else if (message.cmd === 'signal') reply = await run('signal', message);
    else if (message.cmd === 'chat') reply = await run('chat', message);
    else if (message.cmd === 'close') {
      reply = await closeAll();
      roomSizes = new Map();
    } else if (message.cmd === 'exit') {
      await closeAll();
      process.exit(0);
    }
    process.send({ id: message.id, ok: true, reply });
  } catch (error) {
    process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
