/**
 * Short-lived TURN credentials in the "TURN REST API" scheme that coturn's
 * `use-auth-secret` checks: the username is `<unix expiry>:<user id>` and the
 * password is base64(HMAC-SHA1(secret, username)). Nothing static reaches
 * the browser, and a leaked credential stops working at its expiry.
 */
import { createHmac } from 'node:crypto';

export interface TurnSettings {
  urls: string[];
  secret: string;
  /** How long a credential is valid, in seconds. */
  ttlSeconds: number;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export function turnCredential(secret: string, userId: string, ttlSeconds: number, nowMs = Date.now()) {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiry };
}

/** The ICE servers one signed-in user may use now: STUN as configured, TURN with fresh credentials. */
export function iceServersFor(userId: string, stun: IceServer[], turn: TurnSettings | undefined, nowMs = Date.now()): IceServer[] {
  if (!turn) return stun;
  const { username, credential } = turnCredential(turn.secret, userId, turn.ttlSeconds, nowMs);
  return [...stun, { urls: turn.urls, username, credential }];
}
