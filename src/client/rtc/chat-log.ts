/**
 * The room's chat as this client knows it: messages ordered by the server's
 * sequence numbers, plus an outbox of own messages not yet acknowledged.
 * The outbox survives a page reload (sessionStorage) and is resent on every
 * (re)connection; the server's idempotency key makes resends harmless.
 */
import type { ChatMessage } from '../../shared/protocol.js';

export interface PendingMessage {
  clientId: string;
  text: string;
  createdAt: number;
}

export class ChatLog {
  private readonly bySeq = new Map<number, ChatMessage>();
  private readonly outbox = new Map<string, PendingMessage>();

  constructor(private readonly storageKey: string) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as PendingMessage[];
      for (const pending of saved) this.outbox.set(pending.clientId, pending);
    } catch {
      // Unreadable storage: start with an empty outbox.
    }
  }

  /** Highest sequence number seen; the server sends only newer ones on rejoin. */
  get lastSeq(): number {
    let max = 0;
    for (const seq of this.bySeq.keys()) max = Math.max(max, seq);
    return max;
  }

  /** Records a stored message; false when it was already known. */
  add(message: ChatMessage): boolean {
    if (this.bySeq.has(message.seq)) return false;
    this.bySeq.set(message.seq, message);
    return true;
  }

  queue(text: string): PendingMessage {
    const pending = { clientId: newClientId(), text, createdAt: Date.now() };
    this.outbox.set(pending.clientId, pending);
    this.save();
    return pending;
  }

  acknowledge(clientId: string): void {
    if (this.outbox.delete(clientId)) this.save();
  }

  pending(): PendingMessage[] {
    return [...this.outbox.values()];
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
