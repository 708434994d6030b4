/** Prometheus metrics: connections, rooms, messages, and join and relay latency. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds, from 0.1 ms to 1 s: signalling work is sub-millisecond when healthy. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export function createMetrics(sources: { rooms: () => number; participants: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'callroom_' });
  // No runtime version in any answer: it only helps someone looking for a known hole.
  registry.removeSingleMetric('callroom_nodejs_version_info');
  const metrics = {
    registry,
    connections: new Gauge({ name: 'callroom_websocket_connections', help: 'Open signalling WebSockets', registers: [registry] }),
    rejected: new Counter({ name: 'callroom_ws_rejected_total', help: 'Messages refused with an error frame, by code', labelNames: ['code'], registers: [registry] }),
    chatStored: new Counter({ name: 'callroom_chat_messages_stored_total', help: 'Chat messages stored (resends not counted)', registers: [registry] }),
    joinSeconds: new Histogram({ name: 'callroom_join_duration_seconds', help: 'From a join message to the joined reply', buckets: LATENCY_BUCKETS, registers: [registry] }),
    relaySeconds: new Histogram({ name: 'callroom_relay_duration_seconds', help: 'From receiving a signal for a peer on another process to the bus accepting it (a local relay is a synchronous hand-off, not timed)', buckets: LATENCY_BUCKETS, registers: [registry] }),
  };
  // Counted in plain numbers and handed to prom-client when scraped: its
  // per-call label hashing allocated on every signalling message.
  const messageCounts = new Map<string, number>();
  const countMessage = (type: string): void => {
    messageCounts.set(type, (messageCounts.get(type) ?? 0) + 1);
  };
  new Counter({
    name: 'callroom_ws_messages_total',
    help: 'Valid messages received, by type',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, count] of messageCounts) this.inc({ type }, count);
    },
  });
  new Gauge({ name: 'callroom_rooms_active', help: 'Rooms with someone in them', registers: [registry], collect() { this.set(sources.rooms()); } });
  new Gauge({ name: 'callroom_participants', help: 'Participants in rooms, including seats held for a resume', registers: [registry], collect() { this.set(sources.participants()); } });
  return { ...metrics, countMessage };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Seconds elapsed since `start` (a `performance.now()` value: a plain number, no allocation per message). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
