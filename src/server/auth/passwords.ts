/**
 * Password hashing with argon2id at OWASP's minimum (m=19456 KiB, t=2, p=1).
 * Hashes run on libuv's thread pool; a semaphore caps how many run at once so
 * a burst of logins cannot exhaust memory (each hash holds 19 MiB).
 */
import { hash, verify, type Options } from '@node-rs/argon2';

/** `Algorithm.Argon2id`: the package exports a const enum, which isolated modules cannot read. */
const ARGON2ID = 2 as Options['algorithm'];

const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Most password hashes computed at the same time. */
export const MAX_CONCURRENT_HASHES = 4;

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

const hashing = new Semaphore(MAX_CONCURRENT_HASHES);

export function hashPassword(password: string): Promise<string> {
  return hashing.run(() => hash(password, ARGON2_OPTIONS));
}

export function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  return hashing.run(() => verify(storedHash, password).catch(() => false));
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, for logins naming an unknown
 * user, so response timing does not reveal which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hash('dummy password for timing', ARGON2_OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}
