/**
 * The open connections (WebSockets, event streams) of each session, so that
 * ending a session closes them at once rather than leaving them running, and
 * so that a call in progress keeps its session from idling out.
 */
import type { SessionsRepo } from '../repos/sessions.ts';

export interface LiveConnection {
  close(): void;
  /** Whether this connection is activity (a call) that keeps the session alive. */
  keepsSessionAlive: boolean;
}

/** Most token hashes checked in one database query. */
const SWEEP_BATCH = 500;

export class LiveSessions {
  private readonly bySession = new Map<string, Set<LiveConnection>>();

  /** Registers a connection; returns the function that unregisters it. */
  add(tokenHash: string, connection: LiveConnection): () => void {
    let set = this.bySession.get(tokenHash);
    if (!set) {
      set = new Set();
      this.bySession.set(tokenHash, set);
    }
    set.add(connection);
    return () => {
      set.delete(connection);
      if (set.size === 0 && this.bySession.get(tokenHash) === set) this.bySession.delete(tokenHash);
    };
  }

  /** Closes every connection of a session. */
  end(tokenHash: string): void {
    const set = this.bySession.get(tokenHash);
    if (!set) return;
    this.bySession.delete(tokenHash);
    for (const connection of [...set]) connection.close();
  }

  /**
   * Extends the sessions that have a call open and closes the connections of
   * sessions that ended meanwhile: expired, idle, or signed out on another
   * server process (whose own LiveSessions this one cannot see).
   */
  async sweep(sessions: SessionsRepo): Promise<void> {
    const all = [...this.bySession.keys()];
    for (let i = 0; i < all.length; i += SWEEP_BATCH) {
      const batch = all.slice(i, i + SWEEP_BATCH);
      const active = batch.filter((hash) => [...(this.bySession.get(hash) ?? [])].some((c) => c.keepsSessionAlive));
      const live = await sessions.touchAndCheck(active, batch);
      for (const hash of batch) if (!live.has(hash)) this.end(hash);
    }
  }
}
