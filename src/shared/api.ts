/**
 * The HTTP API's contract: request bodies and responses as zod schemas. The
 * server validates and documents (OpenAPI at /docs) with them; the browser
 * imports the derived types. Browser code imports this module with `import
 * type` only, so zod stays out of its bundles (test/unit/architecture.test.ts).
 * Error codes are in `api-errors.ts`.
 */
// zod/mini, as the WebSocket protocol: one kind of schema across src/shared.
import * as z from 'zod/mini';
import { API_ERROR_CODES } from './api-errors.ts';
import { ROOM_ID_PATTERN } from './ids.ts';
import { PASSWORD_MAX_CHARS, ROOM_NAME_MAX_CHARS, USERNAME_MAX_CHARS } from './limits.ts';

/**
 * What an untrusted text field may hold before the rules look at it, in UTF-16
 * units: four times the rule's limit in code points leaves room for
 * normalisation, and bounds the work anything does with it.
 */
const input = (maxCodePoints: number) => z.string().check(z.maxLength(maxCodePoints * 4));

export const ErrorBody = z.object({ error: z.enum(API_ERROR_CODES), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RoomId = z.string().check(z.regex(ROOM_ID_PATTERN));

export const User = z.object({ id: z.string(), username: z.string() });
export type User = z.infer<typeof User>;

/** Sign-in and registration; the username and password rules are checked after normalisation. */
export const Credentials = z.strictObject({ username: input(USERNAME_MAX_CHARS), password: input(PASSWORD_MAX_CHARS) });

export const RoomName = z.pipe(
  input(ROOM_NAME_MAX_CHARS),
  z.pipe(
    z.transform((s: string) => s.normalize('NFC').trim()),
    z.string().check(
      z.refine((s) => s.length > 0 && Array.from(s).length <= ROOM_NAME_MAX_CHARS, `1–${ROOM_NAME_MAX_CHARS} characters`),
      z.refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s), 'control characters'),
    ),
  ),
);

export const CreateRoomBody = z.strictObject({ name: RoomName });

export const Room = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  /** Whether the user asking owns the room (may rename, delete, lock it, and manage its guest link). */
  owner: z.boolean(),
  createdAt: z.number(),
  /** The link to share: on the configured public origin when there is one. */
  link: z.string(),
  /** Only members may join the call. */
  locked: z.boolean(),
  /** Chat messages older than this many days are deleted; null keeps them. */
  chatRetentionDays: z.nullable(z.number()),
  /** For the owner: when the guest link stops working (null: none). */
  guestLinkExpiresAt: z.nullable(z.number()),
  /** Who is in the call right now; a guest is marked, so a guest's chosen name cannot pass for a member's. */
  inCall: z.array(z.object({ username: z.string(), guest: z.boolean() })),
});
export type Room = z.infer<typeof Room>;

/** The owner's changes to a room; what is absent stays. */
export const UpdateRoomBody = z.strictObject({
  name: z.optional(RoomName),
  locked: z.optional(z.boolean()),
  chatRetentionDays: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(3650)))),
});

export const GuestLink = z.object({ link: z.string(), expiresAt: z.number() });
export type GuestLink = z.infer<typeof GuestLink>;

/** A guest's display name, checked like a room name (visible characters, no bidi tricks). */
export const GuestBody = z.strictObject({ name: z.pipe(input(USERNAME_MAX_CHARS), z.pipe(z.transform((s: string) => s.normalize('NFKC').trim()), z.string().check(z.minLength(1), z.maxLength(USERNAME_MAX_CHARS * 2), z.refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s), 'control characters')))) });

export const IdParams = z.strictObject({ id: z.string().check(z.maxLength(64)) });

export const BlockBody = z.strictObject({ username: input(USERNAME_MAX_CHARS) });
export const Blocked = z.object({ userId: z.string(), username: z.string(), since: z.number() });
export type Blocked = z.infer<typeof Blocked>;

/** A call that rang: from me or to me. */
export const Ring = z.object({
  id: z.string(),
  roomId: z.string(),
  roomName: z.string(),
  fromUsername: z.string(),
  toUsername: z.string(),
  /** Whether I made the call. */
  outgoing: z.boolean(),
  createdAt: z.number(),
  state: z.enum(['ringing', 'accepted', 'declined', 'missed']),
});
export type Ring = z.infer<typeof Ring>;

export const PresenceState = z.enum(['offline', 'online', 'in-call']);
export type PresenceState = z.infer<typeof PresenceState>;
/** Someone I share a room with, and whether they are here now. */
export const Contact = z.object({ userId: z.string(), username: z.string(), presence: PresenceState });
export type Contact = z.infer<typeof Contact>;

export const SendLinkBody = z.strictObject({ room_id: input(22), username: input(USERNAME_MAX_CHARS) });

export const Invitation = z.object({
  id: z.string(),
  roomId: z.string(),
  roomName: z.string(),
  fromUsername: z.string(),
  createdAt: z.number(),
});
export type Invitation = z.infer<typeof Invitation>;

/** One of my signed-in sessions; `current` marks the browser asking. */
export const Session = z.object({
  id: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number(),
  userAgent: z.nullable(z.string()),
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export const SessionIdParams = z.strictObject({ id: z.string().check(z.maxLength(64)) });

export const ChangePasswordBody = z.strictObject({
  currentPassword: input(PASSWORD_MAX_CHARS),
  newPassword: input(PASSWORD_MAX_CHARS),
  keepOtherSessions: z.optional(z.boolean()),
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const DeleteAccountBody = z.strictObject({ password: input(PASSWORD_MAX_CHARS) });

export const IceServer = z.object({ urls: z.array(z.string()), username: z.optional(z.string()), credential: z.optional(z.string()) });

/** What an RTCPeerConnection needs from the server: STUN/TURN (with fresh TURN credentials) and the transport policy. */
export const RtcConfiguration = z.object({
  iceServers: z.array(IceServer),
  iceTransportPolicy: z.enum(['all', 'relay']),
});
export type RtcConfiguration = z.infer<typeof RtcConfiguration>;

export const IceServersResponse = z.extend(RtcConfiguration, { ttlSeconds: z.number() });
