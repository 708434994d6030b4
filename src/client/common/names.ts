/** How a person is named in the call: a guest's chosen name is marked, so it cannot pass for a member's. */
import { t } from './i18n.ts';

export function displayName(person: { username: string; guest?: boolean | undefined }): string {
  return person.guest ? t('room.guestName', { name: person.username }) : person.username;
}
