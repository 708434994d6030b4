/**
 * Resume tokens let a participant whose signalling connection dropped (or
 * whose server restarted) come back under the same peer id, so everyone keeps
 * their existing peer connection instead of starting a new call. A token is
 * an HMAC of (room, user, peer id): only that user can reclaim that seat.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ResumeTokens {
  issue(roomId: string, userId: string, peerId: string): string;
  verify(token: string, roomId: string, userId: string, peerId: string): boolean;
}

export function createResumeTokens(key: string): ResumeTokens {
  const sign = (roomId: string, userId: string, peerId: string) =>
    createHmac('sha256', key).update(`${roomId}\n${userId}\n${peerId}`).digest('base64url');
  return {
    issue: sign,
    verify(token, roomId, userId, peerId) {
      const expected = Buffer.from(sign(roomId, userId, peerId));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
