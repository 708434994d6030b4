/**
 * The open connections (WebSockets, event streams) of each session, so that
 * ending a session closes them at once rather than leaving them running.
 */
export type CloseConnection = () => void;

export class LiveSessions {
  private readonly bySession = new Map<string, Set<CloseConnection>>();

  /** Registers a connection; returns the function that unregisters it. */
  add(tokenHash: string, close: CloseConnection): () => void {
    let set = this.bySession.get(tokenHash);
    if (!set) {
      set = new Set();
      this.bySession.set(tokenHash, set);
    }
    set.add(close);
    return () => {
      set.delete(close);
      if (set.size === 0 && this.bySession.get(tokenHash) === set) this.bySession.delete(tokenHash);
    };
  }

  /** Closes every connection of a session. */
  end(tokenHash: string): void {
    const set = this.bySession.get(tokenHash);
    if (!set) return;
    this.bySession.delete(tokenHash);
    for (const close of [...set]) close();
  }
}
