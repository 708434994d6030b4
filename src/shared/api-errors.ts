/**
 * The stable codes of the HTTP API's errors (`{"error": "<code>", "message"}`).
 * Kept apart from the zod schemas of `api.ts` so the browser can use them at
 * run time without bundling zod; every code has a message in each language
 * (test/unit/i18n.test.ts).
 */
export const ApiErrorCode = {
  invalidInput: 'invalid-input',
  invalidCredentials: 'invalid-credentials',
  wrongPassword: 'wrong-password',
  tooManyConnections: 'too-many-connections',
  usernameTaken: 'username-taken',
  invalidUsername: 'invalid-username',
  weakPassword: 'weak-password',
  rateLimited: 'rate-limited',
  unauthorized: 'unauthorized',
  forbiddenOrigin: 'forbidden-origin',
  unsupportedMediaType: 'unsupported-media-type',
  unknownUser: 'unknown-user',
  selfInvite: 'self-invite',
  roomNotFound: 'room-not-found',
  notMember: 'not-member',
  notOwner: 'not-owner',
  guestNotAllowed: 'guest-not-allowed',
  guestLinkInvalid: 'guest-link-invalid',
  notFound: 'not-found',
  payloadTooLarge: 'payload-too-large',
  unavailable: 'unavailable',
  internal: 'internal',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

export const API_ERROR_CODES = Object.values(ApiErrorCode) as [ApiErrorCode, ...ApiErrorCode[]];
