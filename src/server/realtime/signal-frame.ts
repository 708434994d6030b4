/**
 * The frame that relays a signal to its target. Re-serialising the payload
 * (3 KB SDPs included) was a quarter of all the memory the server allocated
 * under signalling load, and so a driver of its garbage collections.
 *
 * When the sender's frame starts exactly as our client writes it,
 * `{"type":"signal","to":"<to>","payload":`, the relayed frame reuses the
 * text after that prefix: `{"type":"signal","from":"<from>","payload":…`.
 * Both frames then hold the same tokens after the prefix, in the same
 * object, so JSON.parse reads the same `payload` from both: the one the
 * server validated. That holds with repeated keys too, because JSON.parse
 * keeps the last one, in the browser as on the server; a sender that repeats
 * keys only adds text the receiving page ignores. The protocol's clients
 * therefore parse with JSON.parse semantics (docs/protocol.md). A `from` key
 * cannot be smuggled in, escaped or not: the schema admits only `type`, `to`
 * and `payload`. Any other frame is serialised from the parsed message.
 */
import type { SignalPayload } from '../../shared/protocol.js';

/** `to` and `from` are peer ids ([A-Za-z0-9_-]), so they need no escaping. */
export function relayedSignal(from: string, to: string, payload: SignalPayload, raw?: string): string {
  if (raw !== undefined) {
    const prefix = `{"type":"signal","to":"${to}","payload":`;
    if (raw.startsWith(prefix)) return `{"type":"signal","from":"${from}","payload":${raw.slice(prefix.length)}`;
  }
  return JSON.stringify({ type: 'signal', from, payload });
}
