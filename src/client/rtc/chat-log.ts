/**
 * The room's chat as this client knows it: messages ordered by the server's
 * sequence numbers, plus an outbox of own messages not yet acknowledged.
 * The outbox survives a page reload (sessionStorage) and is resent on every
 * (re)connection; the server's idempotency key makes resends harmless.
 *
 * `contiguousSeq` is the point up to which nothing is missing (from where
 * this client started reading); the client resumes from there and asks for
 * `history` when a message arrives beyond it, so gaps always get filled.
 */
import type { ChatMessage } from '../../shared/protocol.ts';

/**
 * A `history` request unanswered for this long, in milliseconds, counts as
 * lost and is asked again: the server drops frames over its rate limit, and
 * an answer can die with a connection.
 */
export const HISTORY_ANSWER_TIMEOUT_MS = 5000;

export interface PendingMessage {
  clientId: string;
  text: string;
  createdAt: number;
  /** When it was last handed to the connection (0: never). */
  sentAt: number;
}

export class ChatLog {
  private readonly bySeq = new Map<number, ChatMessage>();
  private readonly outbox = new Map<string, PendingMessage>();
  private contiguous: number | undefined;
  private maxSeq = 0;
  /** No `history` request before this time: one is in flight, or the server said to wait. */
  private historyWaitUntil = 0;
  /** The last page of history said more follows. */
  private moreToFetch = false;

  private readonly storageKey: string;
  constructor(storageKey: string) {
    this.storageKey = storageKey;
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as PendingMessage[];
      for (const pending of saved) this.outbox.set(pending.clientId, pending);
    } catch {
      // Unreadable storage: start with an empty outbox.
    }
  }

  /** Every message up to this one is here (0 before the first join). */
  get contiguousSeq(): number {
    return this.contiguous ?? 0;
  }

  /** Whether messages beyond `contiguousSeq` arrived, so some in between are missing. */
  get hasGap(): boolean {
    return this.maxSeq > this.contiguousSeq;
  }

  /**
   * Starts reading at a newcomer's history: what came before its first
   * message is not this client's to fetch.
   */
  startAt(history: ChatMessage[]): void {
    if (this.contiguous === undefined) this.contiguous = (history[0]?.seq ?? 1) - 1;
  }

  /**
   * The room keeps nothing before `firstSeq` (its retention setting removed
   * older messages): those are not missing, so they are not asked for again.
   */
  keptFrom(firstSeq: number | undefined): void {
    if (!firstSeq || this.contiguous === undefined || this.contiguous >= firstSeq - 1) return;
    this.contiguous = firstSeq - 1;
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous += 1;
  }

  /** Records a stored message; false when it was already known. */
  add(message: ChatMessage): boolean {
    if (this.bySeq.has(message.seq)) return false;
    this.bySeq.set(message.seq, message);
    this.maxSeq = Math.max(this.maxSeq, message.seq);
    this.contiguous ??= message.seq - 1;
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous += 1;
    return true;
  }

  /**
   * Where the next `history` request should start, when messages are missing
   * (a gap, or a page that said more follows) and no request is in flight;
   * undefined when there is nothing to ask for now.
   */
  historyToFetch(now = Date.now()): number | undefined {
    if (!this.moreToFetch && !this.hasGap) return undefined;
    return now < this.historyWaitUntil ? undefined : this.contiguousSeq;
  }

  historyAsked(now = Date.now()): void {
    this.historyWaitUntil = now + HISTORY_ANSWER_TIMEOUT_MS;
  }

  /** A page of history arrived (with the join, or answering `history`); `more`: it is not the last. */
  historyAnswered(more: boolean): void {
    this.historyWaitUntil = 0;
    this.moreToFetch = more;
  }

  /** The server could not answer (database busy, rate limit): ask again after `retryMs`, not sooner. */
  historyRefused(retryMs: number, now = Date.now()): void {
    this.historyWaitUntil = now + retryMs;
  }

  get(seq: number): ChatMessage | undefined {
    return this.bySeq.get(seq);
  }

  queue(text: string): PendingMessage {
    const pending = { clientId: newClientId(), text, createdAt: Date.now(), sentAt: 0 };
    this.outbox.set(pending.clientId, pending);
    this.save();
    return pending;
  }

  acknowledge(clientId: string): void {
    if (this.outbox.delete(clientId)) this.save();
  }

  /** Gives up on a message the server refused for good (the daily allowance, an invalid text). */
  drop(clientId: string): PendingMessage | undefined {
    const pending = this.outbox.get(clientId);
    this.acknowledge(clientId);
    return pending;
  }

  pending(): PendingMessage[] {
    return [...this.outbox.values()];
  }

  markSent(clientId: string, now = Date.now()): void {
    const pending = this.outbox.get(clientId);
    if (pending) pending.sentAt = now;
  }

  /**
   * Unacknowledged messages last sent more than `olderThanMs` ago, oldest
   * first, at most `max`: a send can vanish (a dropped frame, a rate limit,
   * a connection dying mid-send), so it is repeated until acknowledged.
   */
  dueForResend(olderThanMs: number, max: number, now = Date.now()): PendingMessage[] {
    return this.pending()
      .filter((p) => now - p.sentAt >= olderThanMs)
      .slice(0, max);
  }

  isPending(clientId: string): boolean {
    return this.outbox.has(clientId);
  }

  private save(): void {
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(this.pending()));
    } catch {
      // Storage full or disabled: the outbox still lives in memory.
    }
  }
}

function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
