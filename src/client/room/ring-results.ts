/**
 * How the calls I rang from the room ended (answered, declined, missed), as
 * notices in the call. The notification stream is opened at the first
 * invitation sent from this page, so a call that invites no one opens none.
 */
import type { NotificationEvent } from '../../shared/notifications.ts';
import { t } from '../common/i18n.ts';

export class RingResults {
  private source: EventSource | undefined;
  private readonly show: (text: string) => void;

  constructor(show: (text: string) => void) {
    this.show = show;
  }

  listen(): void {
    if (this.source) return;
    this.source = new EventSource('/api/notifications');
    this.source.addEventListener('ring-ended', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as NotificationEvent;
      if (event.type !== 'ring-ended' || !event.ring.outgoing) return;
      const name = { name: event.ring.toUsername };
      if (event.ring.state === 'declined') this.show(t('room.ringDeclined', name));
      else if (event.ring.state === 'missed') this.show(t('room.ringMissed', name));
      else if (event.ring.state === 'accepted') this.show(t('room.ringAccepted', name));
    });
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
  }
}
