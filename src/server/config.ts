/**
 * Configuration, read once from environment variables and validated at
 * start-up: a bad value stops the process with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_ROOM_CAPACITY } from '../shared/limits.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const commaList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** `sqlite:<path>` (default `sqlite:./data/callroom.db`) or `postgres://…`. */
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .default('sqlite:./data/callroom.db'),
  /** Public origin(s) of the app, e.g. `https://meet.example.org`; used for links and the Origin check. */
  PUBLIC_ORIGIN: commaList.optional(),
  /** Set the cookie's Secure flag (and the `__Host-` prefix). Defaults to true in production. */
  COOKIE_SECURE: bool.optional(),
  /** Addresses of reverse proxies whose X-Forwarded-For is trusted (comma list); empty trusts none. */
  TRUST_PROXY: commaList.optional(),
  /** STUN/TURN URLs handed to browsers, comma separated; `none` for none. */
  ICE_SERVERS: z
    .string()
    .default('stun:stun.l.google.com:19302')
    .transform((v) => (v.trim() === 'none' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .refine((urls) => urls.every((u) => /^(stun|stuns|turn|turns):/.test(u)), 'each URL must start with stun:, stuns:, turn: or turns:'),
  /** TURN server URLs (turn: or turns:), comma separated; needs TURN_SECRET. */
  TURN_URLS: commaList.optional(),
  /** The secret shared with coturn (`static-auth-secret`); at least 32 characters. */
  TURN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of the TURN credentials handed to browsers, in seconds (default 4 hours). */
  TURN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(4 * 3600),
  /** `relay` makes browsers use TURN only: no direct connection, addresses hidden from peers. */
  ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).default('all'),
  /** Redis for several server processes as one service, e.g. `redis://127.0.0.1:6379`. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('callroom:'),
  /**
   * A session unused this long ends (ASVS L2: 30 minutes). An open call counts
   * as use. Fractions are allowed (tests use a few seconds).
   */
  SESSION_IDLE_MINUTES: z.coerce.number().min(0.01).max(60 * 24 * 30).default(30),
  /** A session ends this long after sign-in however much it is used (ASVS L2: 12 hours). */
  SESSION_ABSOLUTE_HOURS: z.coerce.number().min(0.001).max(24 * 365).default(12),
  /** How long a page keeps trying to reach the server before it ends the call as lost, in seconds. */
  CALL_LOST_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long a signalling socket may stay open without joining (the pre-join screen keeps one), in seconds. */
  JOIN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** How long a participant whose connection dropped keeps their seat for a resume, in seconds. */
  RESUME_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  ROOM_CAPACITY: z.coerce.number().int().min(2).max(50).default(DEFAULT_ROOM_CAPACITY),
  /**
   * What each browser may upload in all, in kbit/s, shared among the others
   * in the call (a mesh sends one copy of the video to each): senders lower
   * their bitrate and resolution as the room fills, and pause the camera
   * when even a low rate would not fit.
   */
  UPLOAD_BUDGET_KBPS: z.coerce.number().int().min(100).max(100_000).default(2500),
  /** Failed logins allowed per (client address, account) per window before 429. */
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(5),
  /** Failed logins allowed per client address, whatever the account, per window before 429. */
  LOGIN_IP_RATE_LIMIT: z.coerce.number().int().min(1).default(50),
  /** Registrations allowed per client address per window before 429. */
  REGISTER_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Length of the login and registration rate-limit windows, in seconds. */
  AUTH_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  /** Signalling connections one account may hold open at once (tabs, devices), per server process. */
  WS_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(8),
  /** Signalling connections one client address may hold open at once, per server process. */
  WS_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(200),
  /** Messages one signalling connection may send at once (joining a call sends a burst of ICE candidates). */
  WS_MESSAGE_BURST: z.coerce.number().int().min(10).default(100),
  /** Sustained messages per second one signalling connection may send; a user's connections together get twice this. */
  WS_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).default(30),
  /** Chat messages one user may send per 24 hours, all rooms together; more get `chat-quota`. */
  CHAT_MESSAGES_PER_DAY: z.coerce.number().int().min(1).default(2000),
  /** Seats one account may hold in one room's call; a further join from the same account replaces the oldest. */
  SEATS_PER_ACCOUNT: z.coerce.number().int().min(1).max(50).default(1),
  /** How long a room's guest link works, in hours. */
  GUEST_LINK_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(24),
  /** How long a call rings on the invitee's pages before it counts as missed, in seconds. */
  RING_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /** Bearer token that /metrics requires; without one, /metrics answers 404. At least 32 characters. */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof EnvSchema>) {
  const production = env.NODE_ENV === 'production';
  return {
    env: env.NODE_ENV,
    production,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    publicOrigins: env.PUBLIC_ORIGIN ?? [],
    cookieSecure: env.COOKIE_SECURE ?? production,
    trustProxy: env.TRUST_PROXY ?? [],
    iceServers: env.ICE_SERVERS.length > 0 ? [{ urls: env.ICE_SERVERS }] : [],
    turn: env.TURN_URLS && env.TURN_SECRET ? { urls: env.TURN_URLS, secret: env.TURN_SECRET, ttlSeconds: env.TURN_TTL_SECONDS } : undefined,
    iceTransportPolicy: env.ICE_TRANSPORT_POLICY,
    sessionIdleMs: Math.round(env.SESSION_IDLE_MINUTES * 60_000),
    sessionAbsoluteMs: Math.round(env.SESSION_ABSOLUTE_HOURS * 3_600_000),
    roomCapacity: env.ROOM_CAPACITY,
    uploadBudgetKbps: env.UPLOAD_BUDGET_KBPS,
    resumeGraceMs: env.RESUME_GRACE_SECONDS * 1000,
    joinTimeoutMs: env.JOIN_TIMEOUT_SECONDS * 1000,
    callLostMs: env.CALL_LOST_SECONDS * 1000,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    loginIpRateLimit: env.LOGIN_IP_RATE_LIMIT,
    registerRateLimit: env.REGISTER_RATE_LIMIT,
    authRateWindowMs: env.AUTH_RATE_WINDOW_SECONDS * 1000,
    wsConnectionCaps: {
      perUser: env.WS_CONNECTIONS_PER_USER,
      perAddress: env.WS_CONNECTIONS_PER_ADDRESS,
      messageRate: { burst: env.WS_MESSAGE_BURST, perSecond: env.WS_MESSAGES_PER_SECOND },
    },
    chatMessagesPerDay: env.CHAT_MESSAGES_PER_DAY,
    seatsPerAccount: env.SEATS_PER_ACCOUNT,
    guestLinkMs: Math.round(env.GUEST_LINK_HOURS * 3_600_000),
    ringMs: env.RING_SECONDS * 1000,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
  };
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env files and Render's dashboard.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = toConfig(parsed.data);
  const env = parsed.data;
  if (config.production && config.publicOrigins.length === 0) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_ORIGIN: required in production (e.g. https://meet.example.org)');
  }
  if (Boolean(env.TURN_URLS) !== Boolean(env.TURN_SECRET)) {
    throw new ConfigError('Invalid configuration:\n  TURN_URLS and TURN_SECRET: set both or neither');
  }
  if (env.TURN_URLS?.some((u) => !/^turns?:/.test(u))) {
    throw new ConfigError('Invalid configuration:\n  TURN_URLS: each URL must start with turn: or turns:');
  }
  if (config.iceTransportPolicy === 'relay' && !config.turn) {
    throw new ConfigError('Invalid configuration:\n  ICE_TRANSPORT_POLICY: relay needs TURN_URLS and TURN_SECRET');
  }
  for (const origin of config.publicOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ConfigError(`Invalid configuration:\n  PUBLIC_ORIGIN: "${origin}" must be scheme://host[:port] with no path`);
    }
    // In production the app is served over HTTPS (directly or by a TLS proxy): session
    // cookies and room links must not travel in clear text.
    if (config.production && !origin.startsWith('https://')) {
      throw new ConfigError(`Invalid configuration:\n  PUBLIC_ORIGIN: "${origin}" must be https:// in production`);
    }
  }
  if (config.production && !config.cookieSecure) {
    throw new ConfigError('Invalid configuration:\n  COOKIE_SECURE: cannot be false in production (the session cookie must be Secure and __Host-)');
  }
  return config;
}
