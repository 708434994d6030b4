/**
 * The frame that relays a signal to its target. Re-serialising the payload
 * (3 KB SDPs included) was a quarter of all the memory the server allocated
 * under signalling load, and so a driver of its garbage collections.
 *
 * When the sender's frame has our client's exact shape,
 * `{"type":"signal","to":"<to>","payload":<payload>}`, the relayed frame
 * reuses the text after that prefix:
 * `{"type":"signal","from":"<from>","payload":<payload>}`. Both frames hold
 * the same tokens after the prefix, in the same object, so a parser reads the
 * same payload from both: the one the server validated. To keep that true
 * for any parser, the text is reused only when no second `payload` or `to`
 * key follows (the text `"payload"` or `"to"` does not occur after the
 * prefix: inside a JSON string a quote is escaped, so these can only be keys
 * or whole string values, and the payload's own keys are fixed by the
 * schema). A `from` key cannot be smuggled in: the schema admits only
 * `type`, `to` and `payload`. Every other frame is serialised from the
 * parsed message, as before.
 */
import type { SignalPayload } from '../../shared/protocol.js';

/** `to` and `from` are peer ids ([A-Za-z0-9_-]), so they need no escaping. */
export function relayedSignal(from: string, to: string, payload: SignalPayload, raw?: string): string {
  if (raw !== undefined) {
    const prefix = `{"type":"signal","to":"${to}","payload":`;
    if (raw.startsWith(prefix)) {
      const rest = raw.slice(prefix.length);
      if (!rest.includes('"payload"') && !rest.includes('"to"')) return `{"type":"signal","from":"${from}","payload":${rest}`;
    }
  }
  return JSON.stringify({ type: 'signal', from, payload });
}
