/** The room page: joins the call and connects the UI to it. */
import type { RtcConfiguration } from '../../shared/api.ts';
import { CloseCode } from '../../shared/protocol.ts';
import type { MessageKey } from '../../shared/i18n/index.ts';
import { copyText, must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { Call } from '../rtc/call.ts';
import { SignalingClient } from '../rtc/signaling.ts';
import { acquireLocalMedia, type LocalMedia } from '../rtc/media.ts';
import { ChatView } from './chat-view.ts';
import { installControls } from './controls.ts';
import { VideoGrid } from './grid.ts';

const body = document.body;
const roomId = body.dataset.roomId ?? '';
const username = body.dataset.username ?? '';
const rtcConfig = JSON.parse(body.dataset.rtcConfig ?? '{}') as RtcConfiguration;
/** How long to keep trying to reach the server before the call is over, in milliseconds. */
const callLostAfterMs = Number(body.dataset.callLostMs) || 60_000;

const banner = must<HTMLElement>('[data-banner]');
const grid = new VideoGrid(must<HTMLElement>('[data-grid]'));
const chatView = new ChatView(must<HTMLOListElement>('[data-messages]'), must<HTMLElement>('[data-empty=chat]'), username);
const participants = must<HTMLElement>('[data-participants]');

function showBanner(text: string | null): void {
  banner.hidden = text === null;
  banner.textContent = text ?? '';
}

function mediaWarning(local: LocalMedia): string | null {
  if (local.partial) return t(local.partial === 'audio-only' ? 'media.audioOnly' : 'media.videoOnly');
  if (!local.problem) return null;
  const keys: Record<string, MessageKey> = { denied: 'media.denied', 'not-found': 'media.notFound', busy: 'media.busy', insecure: 'media.insecure' };
  const key = keys[local.problem];
  return key ? t(key) : t('media.other', { reason: local.detail ?? local.problem });
}

function showEnded(message: string): void {
  must<HTMLElement>('[data-left-message]').textContent = message;
  must<HTMLElement>('[data-left]').hidden = false;
  document.body.classList.add('has-left');
}

const closeMessages: Partial<Record<number, MessageKey>> = {
  [CloseCode.roomFull]: 'error.room-full',
  [CloseCode.sessionEnded]: 'error.session-ended',
  [CloseCode.forbidden]: 'error.forbidden',
  [CloseCode.roomNotFound]: 'error.room-not-found',
};

/**
 * Set while this tab is in the call, so that reloading the page (or the
 * Rejoin button, which reloads) goes straight back in. Only a reload honours
 * it, and reading clears it: coming back to the room any other way (the back
 * arrow, history, a duplicated tab) shows the pre-join screen, so nobody is
 * put on camera without pressing Join.
 */
const inCallKey = `callroom:in-call:${roomId}`;
const inCall = {
  set: (value: boolean) => (value ? sessionStorage.setItem(inCallKey, '1') : sessionStorage.removeItem(inCallKey)),
  /** Whether this page load is a reload of a page that was in the call; forgets it either way. */
  takeOnReload: (): boolean => {
    const was = sessionStorage.getItem(inCallKey) === '1';
    sessionStorage.removeItem(inCallKey);
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return was && navigation?.type === 'reload';
  },
};

/** Resolves when the user asks to join: the Join button, or at once when reloading in a call. */
function joinRequested(): Promise<void> {
  const button = must<HTMLButtonElement>('[data-action=join]');
  return new Promise((resolve) => {
    if (inCall.takeOnReload()) {
      resolve();
      return;
    }
    button.addEventListener('click', () => {
      button.disabled = true;
      resolve();
    }, { once: true });
    // Enabled only now that the click does something.
    button.disabled = false;
  });
}

async function start(): Promise<void> {
  // The pre-join screen: the camera preview starts, WebRTC warms up and the
  // socket connects while the user checks how they look, so that "Join"
  // costs one frame (docs/performance.md).
  const signaling = new SignalingClient(SignalingClient.urlFor(roomId));
  signaling.preconnect();
  const media = acquireLocalMedia();
  const join = joinRequested();
  const local = await media;
  const warning = mediaWarning(local);
  const warningBox = must<HTMLElement>('[data-media-warning]');
  warningBox.hidden = warning === null;
  warningBox.textContent = warning ?? '';

  const call = new Call({ roomId, localStream: local.stream, rtcConfig, callLostAfterMs, signaling });
  const self = () => ({ id: 'self', label: t('room.you', { name: username }), stream: local.stream, media: call.mediaState, self: true });
  grid.upsert(self());
  let capacity = 0;
  const updateCount = () => {
    participants.textContent = t('room.participants', { count: call.remotePeers.length + 1 });
  };

  call.on('signaling', (state) => {
    if (state.kind === 'reconnecting') showBanner(t('room.reconnecting'));
    if (state.kind === 'closed' && state.reason !== 'left') {
      inCall.set(false);
      const key = closeMessages[state.code];
      showEnded(key ? t(key, { capacity }) : t('error.protocol', { code: state.code }));
      if (state.code === CloseCode.sessionEnded) location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    }
  });
  call.on('lost', () => {
    inCall.set(false);
    grid.clearRemote();
    for (const track of local.stream?.getTracks() ?? []) track.stop();
    showEnded(t('room.callLost'));
  });
  call.on('joined', (joined) => {
    capacity = joined.capacity;
    showBanner(null);
    updateCount();
  });
  call.on('peer-joined', (peer) => {
    grid.upsert({ id: peer.peerId, label: peer.username, stream: peer.stream, media: peer.media, self: false });
    updateCount();
  });
  call.on('peer-updated', (peer) => {
    grid.upsert({ id: peer.peerId, label: peer.username, stream: peer.stream, media: peer.media, self: false });
  });
  call.on('peer-left', (peer) => {
    grid.remove(peer.peerId);
    updateCount();
  });
  call.on('chat', (message) => chatView.showStored(message));
  call.on('chat-pending', (pending) => chatView.showPending(pending));
  call.on('error', (error) => {
    if (error.code === 'room-full') capacity = error.capacity ?? capacity;
  });
  for (const pending of call.chat.pending()) chatView.showPending(pending);

  // The microphone and camera buttons work on the pre-join screen too: the
  // call starts with whatever they are set to.
  installControls(
    {
      onMic: (enabled) => {
        call.setAudio(enabled);
        grid.upsert(self());
      },
      onCamera: (enabled) => {
        call.setVideo(enabled);
        grid.upsert(self());
      },
      onLeave: () => {
        inCall.set(false);
        call.leave();
        for (const track of local.stream?.getTracks() ?? []) track.stop();
        grid.clearRemote();
        showEnded(t('room.left'));
      },
    },
    {
      audio: call.mediaState.audio,
      video: call.mediaState.video,
      hasAudio: (local.stream?.getAudioTracks().length ?? 0) > 0,
      hasVideo: (local.stream?.getVideoTracks().length ?? 0) > 0,
    },
  );

  const form = must<HTMLFormElement>('[data-chat-form]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = must<HTMLInputElement>('input', form);
    const text = input.value.trim();
    if (!text) return;
    call.sendChat(text);
    input.value = '';
  });

  must<HTMLButtonElement>('[data-action=copy-link]').addEventListener('click', async () => {
    const link = `${location.origin}/room/${roomId}`;
    showBanner((await copyText(link)) ? t('dashboard.copied') : t('dashboard.copyFailed', { link }));
  });
  must<HTMLButtonElement>('[data-action=rejoin]').addEventListener('click', () => {
    inCall.set(true);
    location.reload();
  });
  // Exposed for end-to-end tests and for debugging from the console.
  (window as unknown as { __call?: Call }).__call = call;

  await join;
  inCall.set(true);
  document.body.classList.remove('lobby');
  showBanner(t('room.joining'));
  call.start();
}

void start();
