/**
 * The signalling and chat protocol spoken on `WebSocket /ws/{roomId}`.
 *
 * One module, imported by both the server and the browser, so the two sides
 * cannot drift. Every message has a runtime schema; TypeScript types are
 * derived from the schemas. The prose specification is `docs/protocol.md`.
 */
// zod/mini: the same validation at a fraction of the bundle size (the room page loads this).
import * as z from 'zod/mini';
import { isBlank } from './blank.ts';
import { CHAT_TEXT_MAX_CHARS, SDP_MAX_CHARS } from './limits.ts';

/** Bumped on any incompatible change; the server refuses other versions. */
export const PROTOCOL_VERSION = 1;

/** Stable error codes carried by `error` frames. Clients map them to messages. */
export const ErrorCode = {
  badJson: 'bad-json',
  badMessage: 'bad-message',
  unsupportedVersion: 'unsupported-version',
  notJoined: 'not-joined',
  alreadyJoined: 'already-joined',
  unknownPeer: 'unknown-peer',
  /** The peer's connection dropped; it may come back (resume) shortly. */
  peerUnavailable: 'peer-unavailable',
  rateLimited: 'rate-limited',
  /** The sender's daily chat allowance is used up; the message was not stored (retry after `retryAfterSeconds`). */
  chatQuota: 'chat-quota',
  /** Only the room's owner may do that. */
  notOwner: 'not-owner',
  roomFull: 'room-full',
  chatUnavailable: 'chat-unavailable',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes. 1000–1015 are the standard ones; ours live in the
 * 4000 range. Codes marked "retry" tell the client it may reconnect.
 */
export const CloseCode = {
  normal: 1000,
  /** Protocol violation or flooding (standard "policy violation"). */
  policy: 1008,
  /** Frame larger than the limit (standard "message too big"). */
  tooBig: 1009,
  /** An unexpected server error (standard "internal error"): retry with backoff. */
  internalError: 1011,
  /** The server is restarting: retry. */
  serviceRestart: 1012,
  /** A dependency (the database) is unavailable just now: retry (standard "try again later"). */
  tryAgainLater: 1013,
  /** The session ended (logout, expiry): sign in again. */
  sessionEnded: 4001,
  /** The user has no access to this room. */
  forbidden: 4003,
  /** The room does not exist. */
  roomNotFound: 4004,
  /** The room reached its participant cap. */
  roomFull: 4009,
  /** The client did not send `join` in time. */
  joinTimeout: 4010,
  /** The same participant resumed on a newer connection, or the same account joined again elsewhere. */
  replaced: 4011,
  /** The room's owner removed this participant from the call. */
  removed: 4012,
  /** The room is locked to its members, and this user is not one. */
  locked: 4013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const codePoints = (text: string): number => Array.from(text).length;

/** Server-issued peer id: one per WebSocket connection. */
const PeerId = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/));
/** Client-chosen id of a chat message; the idempotency key of a send. */
const ClientMessageId = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/));

/**
 * What the others see of me besides my video: microphone and camera on or
 * off, the stream carrying my screen while I share it (so their page can
 * tell it from my camera), and a raised hand.
 */
export const MediaState = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  hand: z.optional(z.boolean()),
});
export type MediaState = z.infer<typeof MediaState>;

/** The reactions a participant can send; each page draws them its own way. */
export const REACTIONS = ['thumbs-up', 'clap', 'laugh', 'heart', 'party', 'surprised'] as const;
export const Reaction = z.enum(REACTIONS);
export type Reaction = z.infer<typeof Reaction>;

const SessionDescription = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: z.string().check(z.maxLength(SDP_MAX_CHARS)),
});

const IceCandidate = z.strictObject({
  candidate: z.string().check(z.maxLength(2048)),
  sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  sdpMLineIndex: z.optional(z.nullable(z.int().check(z.gte(0), z.lte(255)))),
  usernameFragment: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
});

/** What one peer sends another through the server; relayed unchanged. */
export const SignalPayload = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('description'), description: SessionDescription }),
  z.strictObject({ kind: z.literal('candidate'), candidate: IceCandidate }),
]);
export type SignalPayload = z.infer<typeof SignalPayload>;
export type SignalCandidate = Extract<SignalPayload, { kind: 'candidate' }>['candidate'];


const ChatText = z.string().check(
  z.refine((text) => !isBlank(text), 'empty'),
  z.refine((text) => codePoints(text) <= CHAT_TEXT_MAX_CHARS, 'too long'),
  z.refine((text) => !text.includes('\u0000'), 'NUL'),
);

/** Messages a browser sends to the server. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('join'),
    version: z.int(),
    media: MediaState,
    /** Highest chat sequence number the client already has (0: none). */
    lastSeq: z.optional(z.int().check(z.gte(0))),
    /** Reclaims a seat after a dropped connection or a server restart: the peer id and token from `joined`. */
    resume: z.optional(z.strictObject({ peerId: PeerId, token: z.string().check(z.maxLength(128)) })),
  }),
  z.strictObject({ type: z.literal('signal'), to: PeerId, payload: SignalPayload }),
  z.strictObject({ type: z.literal('media'), media: MediaState }),
  z.strictObject({ type: z.literal('chat'), clientId: ClientMessageId, text: ChatText }),
  /** A reaction shown briefly to everyone in the room; not stored. */
  z.strictObject({ type: z.literal('reaction'), reaction: Reaction }),
  /** Asks for the chat messages after `afterSeq` (a page of them): used to fill gaps. */
  z.strictObject({ type: z.literal('history'), afterSeq: z.int().check(z.gte(0)) }),
  /** The owner's controls: take someone out of the call (and the room), or ask them to mute. */
  z.strictObject({ type: z.literal('moderate'), action: z.enum(['remove', 'mute']), peerId: PeerId }),
  z.strictObject({ type: z.literal('ping') }),
  z.strictObject({ type: z.literal('leave') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];

export const PeerInfo = z.object({
  peerId: z.string(),
  userId: z.string(),
  username: z.string(),
  media: MediaState,
  /** A guest (no account, through the owner's guest link): shown as such, so a guest cannot pass for a member. */
  guest: z.optional(z.boolean()),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const ChatMessage = z.object({
  /** Position in the room's chat, assigned by the server: 1, 2, 3, … without gaps. */
  seq: z.int(),
  clientId: z.string(),
  userId: z.string(),
  username: z.string(),
  /** Sent by a guest (see PeerInfo.guest). */
  guest: z.optional(z.boolean()),
  text: z.string(),
  /** Unix time in milliseconds when the server stored the message. */
  sentAt: z.number(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Messages the server sends to a browser. */
export const ServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('joined'),
    version: z.number(),
    selfId: z.string(),
    /** True when `join.resume` was accepted: `selfId` is the old peer id and peer connections carry on. */
    resumed: z.boolean(),
    /** Present in a later `join.resume` to keep this peer id. */
    resumeToken: z.string(),
    roomName: z.string(),
    capacity: z.number(),
    peers: z.array(PeerInfo),
    history: z.array(ChatMessage),
    /** False when more messages follow `history`: ask with `history {afterSeq}`. */
    historyComplete: z.boolean(),
    /** The oldest message the room still keeps; 0 when it has none. */
    firstSeq: z.optional(z.number()),
  }),
  z.object({
    type: z.literal('history'),
    messages: z.array(ChatMessage),
    complete: z.boolean(),
    /** The oldest message the room still keeps (older ones went with its retention setting); 0 when it has none. */
    firstSeq: z.optional(z.number()),
  }),
  /** The room's owner asks me to mute (my page does, and says who asked). */
  z.object({ type: z.literal('mute-request'), by: z.string() }),
  z.object({ type: z.literal('peer-joined'), peer: PeerInfo }),
  z.object({ type: z.literal('peer-left'), peerId: z.string() }),
  z.object({ type: z.literal('peer-media'), peerId: z.string(), media: MediaState }),
  z.object({ type: z.literal('signal'), from: z.string(), payload: SignalPayload }),
  z.object({ type: z.literal('reaction'), peerId: z.string(), reaction: Reaction }),
  z.object({ type: z.literal('chat'), message: ChatMessage }),
  z.object({ type: z.literal('chat-ack'), clientId: z.string(), seq: z.number() }),
  z.object({ type: z.literal('pong') }),
  z.object({
    type: z.literal('error'),
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    /** The `type` of the message that caused the error, when it was readable. */
    ref: z.optional(z.string()),
    /** For chat errors: the client id of the message that was not stored. */
    clientId: z.optional(z.string()),
    /** For `room-full`: how many participants the room holds. */
    capacity: z.optional(z.number()),
    /** For `chat-quota` and `rate-limited`: when to try again. */
    retryAfterSeconds: z.optional(z.number()),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; ref?: string; detail: string };

export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Parses one text frame from a client. Never throws. */
export function parseClientMessage(raw: string): ParseResult<ClientMessage> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: ErrorCode.badJson, detail: 'frame is not JSON' };
  }
  const result = ClientMessage.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const ref = typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string'
    ? String((data as { type: string }).type).slice(0, 32)
    : undefined;
  const issue = result.error.issues[0];
  const detail = issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid message';
  return { ok: false, code: ErrorCode.badMessage, ...(ref ? { ref } : {}), detail };
}

/** Parses one text frame from the server. Never throws. */
export function parseServerMessage(raw: string): ServerMessage | undefined {
  try {
    const result = ServerMessage.safeParse(JSON.parse(raw));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
