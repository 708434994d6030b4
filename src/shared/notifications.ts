/**
 * Live notifications for one user, sent to their open pages as server-sent
 * events (`GET /api/notifications`): the event's name is `type`, its data
 * the rest as JSON. Between server processes they travel on the bus.
 */
import * as z from 'zod/mini';
import { Invitation, PresenceState, Ring } from './api.ts';

export const NotificationEvent = z.discriminatedUnion('type', [
  /** Someone sent me a room's link (or sent it again). */
  z.object({ type: z.literal('invitation'), invitation: Invitation }),
  /** A call rings for me now: accept or decline within the ring's time. */
  z.object({ type: z.literal('ring'), ring: Ring }),
  /** A ring I made or got ended: accepted, declined or missed. */
  z.object({ type: z.literal('ring-ended'), ring: Ring }),
  /** My rooms changed: one was joined, renamed, deleted or left, or someone entered or left its call. */
  z.object({ type: z.literal('rooms-changed') }),
  /** Someone I share a room with came, went, or joined or left a call. */
  z.object({ type: z.literal('presence'), userId: z.string(), presence: PresenceState }),
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;
