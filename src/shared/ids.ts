/** The shapes of the ids that travel in URLs and messages, for both sides to check. */

/** A room id: 128 random bits as 22 base64url characters; it is the room's link, so it is unguessable. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A peer id (one per seat in a call) or a chat message's client id. */
export const SHORT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
