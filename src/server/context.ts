/** Everything route modules depend on, built once in `app.ts` and passed in. */
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db, DbKind } from './db/database.ts';
import type { UsersRepo } from './repos/users.ts';
import type { SessionsRepo } from './repos/sessions.ts';
import type { RoomsRepo } from './repos/rooms.ts';
import type { InvitationsRepo } from './repos/invitations.ts';
import type { BlocksRepo } from './repos/blocks.ts';
import type { RingsRepo } from './repos/rings.ts';
import type { Presence } from './realtime/presence.ts';
import type { Ringer } from './routes/ringing.ts';
import type { ChatRepo } from './repos/chat.ts';
import type { SessionAccess } from './auth/session.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import type { LiveSessions } from './realtime/live-sessions.ts';
import type { RoomHub } from './realtime/room-hub.ts';
import type { Bus } from './realtime/bus.ts';
import type { ResumeTokens } from './realtime/resume-tokens.ts';
import type { Metrics } from './metrics.ts';

export interface AppContext {
  config: Config;
  db: Db;
  dbKind: DbKind;
  users: UsersRepo;
  sessions: SessionsRepo;
  rooms: RoomsRepo;
  invitations: InvitationsRepo;
  blocks: BlocksRepo;
  rings: RingsRepo;
  chat: ChatRepo;
  auth: SessionAccess;
  limits: {
    login: RateLimiter;
    loginByAddress: RateLimiter;
    register: RateLimiter;
    roomCreate: RateLimiter;
    invite: RateLimiter;
    iceServers: RateLimiter;
    wsUnauthenticated: RateLimiter;
    chatQuota: RateLimiter;
    guestJoin: RateLimiter;
  };
  liveSessions: LiveSessions;
  bus: Bus;
  hub: RoomHub;
  presence: Presence;
  ringer: Ringer;
  /** The time sessions, guest links and rings are judged by. */
  clock: Clock;
  resumeTokens: ResumeTokens;
  metrics: Metrics;
}
