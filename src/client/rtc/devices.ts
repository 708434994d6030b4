/**
 * The camera, microphone and speaker the user picked, remembered in this
 * browser (localStorage), and the lists to pick from.
 */
export type DeviceKind = 'videoinput' | 'audioinput' | 'audiooutput';

const STORAGE_KEY = 'callroom:devices';

export type DeviceChoice = Partial<Record<DeviceKind, string>>;

export function rememberedDevices(): DeviceChoice {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown;
    return typeof saved === 'object' && saved !== null ? (saved as DeviceChoice) : {};
  } catch {
    return {};
  }
}

export function rememberDevice(kind: DeviceKind, deviceId: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...rememberedDevices(), [kind]: deviceId }));
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

/**
 * The devices of each kind. Labels are empty until the page has been allowed
 * a camera or microphone, so this is read after asking for them.
 */
export async function listDevices(): Promise<Record<DeviceKind, MediaDeviceInfo[]>> {
  const lists: Record<DeviceKind, MediaDeviceInfo[]> = { videoinput: [], audioinput: [], audiooutput: [] };
  const devices = await navigator.mediaDevices?.enumerateDevices?.().catch(() => []) ?? [];
  for (const device of devices) if (device.deviceId) lists[device.kind].push(device);
  return lists;
}

/** Whether this browser can play a call through a chosen speaker (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Plays an element through the chosen speaker, where the browser allows choosing. */
export async function useSpeaker(element: HTMLMediaElement, deviceId: string | undefined): Promise<void> {
  if (!deviceId || !canChooseSpeaker()) return;
  const sink = element as HTMLMediaElement & { setSinkId(id: string): Promise<void>; sinkId?: string };
  if (sink.sinkId === deviceId) return;
  await sink.setSinkId(deviceId).catch(() => undefined);
}
