/** The control bar: microphone, camera, chat panel and leave. */
import { must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import type { MessageKey } from '../../shared/i18n/index.ts';

export interface ControlHandlers {
  onMic(enabled: boolean): void;
  onCamera(enabled: boolean): void;
  onLeave(): void;
}

function toggle(button: HTMLButtonElement, on: boolean, onLabel: MessageKey, offLabel: MessageKey): void {
  // aria-pressed marks the "off" state: a pressed mute button means muted.
  button.setAttribute('aria-pressed', String(!on));
  const label = t(on ? onLabel : offLabel);
  button.setAttribute('aria-label', label);
  button.title = label;
  must<HTMLElement>('[data-label]', button).textContent = label;
}

export function installControls(handlers: ControlHandlers, initial: { audio: boolean; video: boolean; hasAudio: boolean; hasVideo: boolean }) {
  const mic = must<HTMLButtonElement>('[data-action=mic]');
  const camera = must<HTMLButtonElement>('[data-action=camera]');
  const chatButton = must<HTMLButtonElement>('[data-action=chat]');
  const chatPanel = must<HTMLElement>('[data-chat]');
  let audio = initial.audio;
  let video = initial.video;

  const render = () => {
    toggle(mic, audio, 'room.mute', 'room.unmute');
    toggle(camera, video, 'room.cameraOff', 'room.cameraOn');
    mic.disabled = !initial.hasAudio;
    camera.disabled = !initial.hasVideo;
  };
  render();

  mic.addEventListener('click', () => {
    audio = !audio;
    handlers.onMic(audio);
    render();
  });
  camera.addEventListener('click', () => {
    video = !video;
    handlers.onCamera(video);
    render();
  });

  // The chat starts folded away on narrow screens, where it would cover the video.
  const setChatOpen = (open: boolean) => {
    chatPanel.classList.toggle('open', open);
    document.body.classList.toggle('chat-closed', !open);
    chatButton.setAttribute('aria-expanded', String(open));
  };
  setChatOpen(window.matchMedia('(min-width: 800px)').matches);
  chatButton.addEventListener('click', () => setChatOpen(!chatPanel.classList.contains('open')));

  must<HTMLButtonElement>('[data-action=leave]').addEventListener('click', () => handlers.onLeave());
}
