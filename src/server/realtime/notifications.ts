/**
 * Per-user live notifications (invitations), delivered to open dashboards.
 * In-process; a cross-process implementation can stand behind the same shape.
 */
import type { Invitation } from '../repos/invitations.js';

export type NotificationEvent = { type: 'invitation'; invitation: Invitation };
export type NotificationListener = (event: NotificationEvent) => void;

export class Notifications {
  private readonly listeners = new Map<string, Set<NotificationListener>>();

  subscribe(userId: string, listener: NotificationListener): () => void {
    let set = this.listeners.get(userId);
    if (!set) {
      set = new Set();
      this.listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(userId) === set) this.listeners.delete(userId);
    };
  }

  publish(userId: string, event: NotificationEvent): void {
    // Copy first: a listener may unsubscribe while we iterate.
    for (const listener of [...(this.listeners.get(userId) ?? [])]) listener(event);
  }
}
