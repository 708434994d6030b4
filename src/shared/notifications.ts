/**
 * Live notifications for one user, sent to their open dashboards as
 * server-sent events (`GET /api/notifications`): the event's name is `type`,
 * its data the rest as JSON. Between server processes they travel on the bus.
 */
import * as z from 'zod/mini';
import { Invitation } from './api.ts';

export const NotificationEvent = z.discriminatedUnion('type', [
  /** Someone sent me a room's link. */
  z.object({ type: z.literal('invitation'), invitation: Invitation }),
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;
