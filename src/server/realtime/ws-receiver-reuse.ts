/**
 * Makes each `ws` Receiver keep its fragments array from one message to the next.
 *
 * Why: `ws` 8.23's Receiver replaces `this._fragments` with a new `[]` after
 * every message, and the next payload pushed into it allocates a backing
 * store. Array and store then live until the connection's next message: half a
 * second for a peer signalling at 2 msg/s. That is long enough to survive two
 * scavenges, so both are promoted to the old generation, and every few seconds
 * a mark-compact has to collect them. At 4,000 connections this was nearly all
 * the server promoted: 1.94 MB/s without this change, 0.17 MB/s with it, and
 * mark-compacts went from 21 in 40 s to none (docs/performance.md, run 6).
 * Emptying the same array with pop() keeps its capacity, so a message
 * allocates no array at all.
 *
 * This wraps a private method of `ws` and reads its private fields. `ws` is
 * pinned to an exact version, the wrapper does nothing when the fields are not
 * what it expects, and test/unit/ws-receiver-reuse.test.ts fails when an
 * upgrade changes them.
 */
import * as ws from 'ws';

/** The parts of `ws`'s Receiver this relies on. */
interface ReceiverInternals {
  _fragments: unknown;
  _binaryType: unknown;
  dataMessage(this: ReceiverInternals, cb: unknown): void;
}

/** Binary types for which `ws` hands the fragments array itself (or a view over it) to the listener. */
const ARRAY_HANDED_OUT: ReadonlySet<unknown> = new Set(['fragments', 'blob']);

const MARK = Symbol('callroom.keepsFragmentArrays');

/**
 * Installs the wrapper once per process (it changes `ws`'s Receiver for every
 * socket). Returns false when `ws` has no Receiver of the expected shape.
 */
export function keepReceiverFragmentArrays(): boolean {
  const receiver = (ws as unknown as { Receiver?: { prototype: ReceiverInternals & { [MARK]?: true } } }).Receiver;
  const proto = receiver?.prototype;
  if (!proto || typeof proto.dataMessage !== 'function') return false;
  if (proto[MARK]) return true;
  const dataMessage = proto.dataMessage;
  proto.dataMessage = function keepingFragmentArray(this: ReceiverInternals, cb: unknown): void {
    const kept = this._fragments;
    // Read before the message is emitted: its listener may change the type.
    const handedOut = ARRAY_HANDED_OUT.has(this._binaryType);
    dataMessage.call(this, cb);
    const fresh = this._fragments;
    // Only a finished message swaps in a fresh, still-empty array; an unfinished one keeps collecting.
    if (handedOut || fresh === kept || !Array.isArray(kept) || !Array.isArray(fresh) || fresh.length > 0) return;
    // The message has been read out of `kept` (joined into one buffer, or its only element).
    while (kept.length > 0) kept.pop();
    this._fragments = kept;
  };
  proto[MARK] = true;
  return true;
}
