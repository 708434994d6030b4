/** A message allowance: `burst` messages at once, then `perSecond` sustained. */
export interface MessageRate {
  burst: number;
  perSecond: number;
}

/** A token bucket: `capacity` messages at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  private readonly capacity: number;
  private readonly perSecond: number;
  constructor(
    capacity: number,
    perSecond: number,
    now = Date.now(),
  ) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.tokens = capacity;
    this.updatedAt = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
