/** Live notifications for one user, delivered to their open dashboards through the bus. */
import type { Invitation } from '../repos/invitations.ts';

export type NotificationEvent = { type: 'invitation'; invitation: Invitation };
