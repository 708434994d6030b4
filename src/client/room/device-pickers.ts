/**
 * The camera, microphone and speaker menus (on the pre-join screen and in the
 * call's settings): filled from the devices present, showing the ones in
 * use, refreshed when a device is plugged in or out.
 */
import { el } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { canChooseSpeaker, listDevices, type DeviceKind } from '../rtc/devices.ts';

export class DevicePickers {
  private readonly choose: (kind: DeviceKind, deviceId: string) => void;
  private readonly current: () => Partial<Record<DeviceKind, string>>;

  constructor(choose: (kind: DeviceKind, deviceId: string) => void, current: () => Partial<Record<DeviceKind, string>>) {
    this.choose = choose;
    this.current = current;
    for (const select of document.querySelectorAll<HTMLSelectElement>('select[data-device]')) {
      select.addEventListener('change', () => this.choose(select.dataset.device as DeviceKind, select.value));
    }
    for (const row of document.querySelectorAll<HTMLElement>('[data-speaker-choice]')) row.hidden = !canChooseSpeaker();
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const lists = await listDevices();
    const current = this.current();
    const names: Record<DeviceKind, string> = { videoinput: t('room.camera'), audioinput: t('room.microphone'), audiooutput: t('room.speaker') };
    for (const select of document.querySelectorAll<HTMLSelectElement>('select[data-device]')) {
      const kind = select.dataset.device as DeviceKind;
      const devices = lists[kind];
      const options = devices.map((device, index) => el('option', { value: device.deviceId }, device.label || `${names[kind]} ${index + 1}`));
      if (kind === 'audiooutput' && devices.length === 0) options.push(el('option', { value: '' }, t('room.systemDefault')));
      select.replaceChildren(...options);
      const chosen = current[kind];
      if (chosen && devices.some((d) => d.deviceId === chosen)) select.value = chosen;
      select.disabled = devices.length <= 1;
      select.closest('label')!.hidden = devices.length === 0 && kind !== 'audiooutput';
    }
  }
}
