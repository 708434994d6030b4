/**
 * Per-user and per-address caps on open signalling connections, and the
 * message allowance a user's connections share, so that opening more tabs
 * (or sockets) does not multiply what one account may send. Counts are per
 * server process.
 */
import { TokenBucket, type MessageRate } from './token-bucket.ts';

/** How long a user whose connection was closed for flooding may not open another, in milliseconds. */
export const FLOOD_PENALTY_MS = 10_000;
/** Most penalised users remembered; beyond it the oldest penalties are forgotten. */
const MAX_PENALTIES = 10_000;

/** A user's connections together may send this many times what one connection may. */
export const USER_ALLOWANCE_FACTOR = 2;

export interface ConnectionCaps {
  perUser: number;
  perAddress: number;
  /** One connection's message allowance; a user's is USER_ALLOWANCE_FACTOR times it. */
  messageRate: MessageRate;
}

export type OpenResult =
  | { ok: true; userBucket: TokenBucket; release: () => void }
  | { ok: false; limit: 'user' | 'address' | 'flooding' };

export class ConnectionLimits {
  private readonly byUser = new Map<string, { count: number; bucket: TokenBucket }>();
  private readonly byAddress = new Map<string, number>();
  private readonly penalties = new Map<string, number>();

  private readonly caps: ConnectionCaps;
  private readonly clock: () => number;
  constructor(
    caps: ConnectionCaps,
    clock: () => number = Date.now,
  ) {
    this.caps = caps;
    this.clock = clock;}

  /**
   * A connection of this user was closed for flooding: refuse the user's new
   * connections for a while, so reconnecting at once does not restart the flood.
   */
  penalize(userId: string): void {
    this.penalties.delete(userId);
    this.penalties.set(userId, this.clock() + FLOOD_PENALTY_MS);
    if (this.penalties.size > MAX_PENALTIES) this.penalties.delete(this.penalties.keys().next().value!);
  }

  /** Reserves a connection slot, or says which cap is reached. */
  open(userId: string, address: string): OpenResult {
    const penaltyUntil = this.penalties.get(userId);
    if (penaltyUntil !== undefined) {
      if (penaltyUntil > this.clock()) return { ok: false, limit: 'flooding' };
      this.penalties.delete(userId);
    }
    const user = this.byUser.get(userId);
    if ((user?.count ?? 0) >= this.caps.perUser) return { ok: false, limit: 'user' };
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (fromAddress >= this.caps.perAddress) return { ok: false, limit: 'address' };

    const entry = user ?? { count: 0, bucket: new TokenBucket(this.caps.messageRate.burst * USER_ALLOWANCE_FACTOR, this.caps.messageRate.perSecond * USER_ALLOWANCE_FACTOR) };
    entry.count += 1;
    this.byUser.set(userId, entry);
    this.byAddress.set(address, fromAddress + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.count -= 1;
      if (entry.count === 0) this.byUser.delete(userId);
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    };
    return { ok: true, userBucket: entry.bucket, release };
  }
}
