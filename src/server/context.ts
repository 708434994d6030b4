/** Everything route modules depend on, built once in `app.ts` and passed in. */
import type { Config } from './config.js';
import type { Db, DbKind } from './db/database.js';
import type { UsersRepo } from './repos/users.js';
import type { SessionsRepo } from './repos/sessions.js';
import type { RoomsRepo } from './repos/rooms.js';
import type { InvitationsRepo } from './repos/invitations.js';
import type { ChatRepo } from './repos/chat.js';
import type { SessionAccess } from './auth/session.js';
import type { RateLimiter } from './auth/rate-limiter.js';
import type { LiveSessions } from './realtime/live-sessions.js';
import type { RoomHub } from './realtime/room-hub.js';
import type { Bus } from './realtime/bus.js';
import type { ResumeTokens } from './realtime/resume-tokens.js';
import type { Metrics } from './metrics.js';

export interface AppContext {
  config: Config;
  db: Db;
  dbKind: DbKind;
  users: UsersRepo;
  sessions: SessionsRepo;
  rooms: RoomsRepo;
  invitations: InvitationsRepo;
  chat: ChatRepo;
  auth: SessionAccess;
  limits: { login: RateLimiter; loginByAddress: RateLimiter; register: RateLimiter; roomCreate: RateLimiter; invite: RateLimiter; iceServers: RateLimiter; wsUnauthenticated: RateLimiter };
  liveSessions: LiveSessions;
  bus: Bus;
  hub: RoomHub;
  resumeTokens: ResumeTokens;
  metrics: Metrics;
}
