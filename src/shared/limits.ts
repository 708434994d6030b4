/**
 * Limits shared by the server and the browser, so that what the client sends
 * always fits what the server accepts. Every number carries its unit.
 */

/** Longest accepted username, in code points. */
export const USERNAME_MAX_CHARS = 32;
/** Shortest accepted username, in code points. */
export const USERNAME_MIN_CHARS = 3;
/** Shortest accepted password, in code points (ASVS 6.2.1). */
export const PASSWORD_MIN_CHARS = 8;
/** Longest accepted password, in code points (ASVS 6.2.9 asks for at least 64). */
export const PASSWORD_MAX_CHARS = 128;
/** Longest room name, in code points. */
export const ROOM_NAME_MAX_CHARS = 80;
/**
 * Longest chat message, in code points. A code point is at most 4 UTF-8
 * bytes, so this also bounds a message to 8,000 bytes.
 */
export const CHAT_TEXT_MAX_CHARS = 2000;
/** Longest SDP we relay, in characters; real offers for 6 peers stay well under 20 KB. */
export const SDP_MAX_CHARS = 48_000;
/** Largest WebSocket frame the server accepts, in bytes; larger frames close the socket with 1009. */
export const WS_MAX_FRAME_BYTES = 64 * 1024;
/**
 * Most frames one WebSocket message may be split into; more close the socket
 * with 1008. Browsers send each message as one frame, and every fragment
 * costs the server a buffer: without a cap, a message of empty fragments
 * could keep it busy for free.
 */
export const WS_MAX_FRAGMENTS = 16;
/** Default participant cap of a room: a full mesh degrades beyond six. */
export const DEFAULT_ROOM_CAPACITY = 6;
/** How many recent chat messages a newcomer receives on join. */
export const CHAT_HISTORY_ON_JOIN = 100;
/** Most chat messages in one catch-up page (a rejoin with `lastSeq`, or a `history` request). */
export const CHAT_HISTORY_PAGE = 500;
/** Interval between the server's WebSocket pings, in milliseconds. */
export const WS_PING_INTERVAL_MS = 15_000;
/** Reactions one participant may send at once, and then per second: more would only be noise. */
export const REACTION_BURST = 5;
export const REACTIONS_PER_SECOND = 1;
/** History pages one participant may ask for at once, and then per second. */
export const HISTORY_BURST = 5;
export const HISTORY_PER_SECOND = 1;
