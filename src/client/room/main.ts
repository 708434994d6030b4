/** The room page: the pre-join screen, then the call, wired to the UI. */
import type { Room, RtcConfiguration } from '../../shared/api.ts';
import type { MessageKey } from '../../shared/i18n/index.ts';
import { isBlank } from '../../shared/blank.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { ApiError, api } from '../common/api.ts';
import { copyText, must } from '../common/dom.ts';
import { t } from '../common/i18n.ts';
import { Call, type RemotePeer } from '../rtc/call.ts';
import { rememberDevice, rememberedDevices, useSpeaker, type DeviceKind } from '../rtc/devices.ts';
import { LocalTracks } from '../rtc/local-tracks.ts';
import { acquireLocalMedia } from '../rtc/media.ts';
import { SignalingClient } from '../rtc/signaling.ts';
import { ChatView } from './chat-view.ts';
import { Controls } from './controls.ts';
import { DevicePickers } from './device-pickers.ts';
import { inCallMarker, joinRequested, mediaWarning, showMicrophoneLevel } from './lobby.ts';
import { displayName } from '../common/names.ts';
import { Notices } from './notices.ts';
import { PeopleView } from './people-view.ts';
import { ReactionLayer } from './reactions.ts';
import { RingResults } from './ring-results.ts';
import { installShortcuts } from './shortcuts.ts';
import { SidePanel } from './side-panel.ts';
import { watchSpeaking } from './speaking.ts';
import { Stage } from './stage.ts';
import { Tile, type TileState } from './tile.ts';

const body = document.body;
const roomId = body.dataset.roomId ?? '';
const username = body.dataset.username ?? '';
const userId = body.dataset.userId ?? '';
const rtcConfig = JSON.parse(body.dataset.rtcConfig ?? '{}') as RtcConfiguration;
/** How long to keep trying to reach the server before the call is over, in milliseconds. */
const callLostAfterMs = Number(body.dataset.callLostMs) || 60_000;
const uploadBudgetBps = (Number(body.dataset.uploadBudgetKbps) || 2500) * 1000;
const hasRelay = body.dataset.hasTurn === 'true';
const isOwner = body.dataset.owner === 'true';
/** A guest came through the owner's guest link: no account, this room only. */
const isGuest = body.dataset.guest === 'true';
const roomLink = `${location.origin}/room/${roomId}`;

const closeMessages: Partial<Record<number, MessageKey>> = {
  [CloseCode.roomFull]: 'error.room-full',
  [CloseCode.sessionEnded]: 'error.session-ended',
  [CloseCode.forbidden]: 'error.forbidden',
  [CloseCode.roomNotFound]: 'error.room-not-found',
  [CloseCode.replaced]: 'room.replaced',
  [CloseCode.removed]: 'room.removed',
  [CloseCode.locked]: 'room.locked',
};
/** After these, "Rejoin" would not let me in (or would undo the owner's choice): it is not offered. */
const noRejoin: ReadonlySet<number> = new Set([CloseCode.removed, CloseCode.locked, CloseCode.roomNotFound, CloseCode.forbidden]);

const notices = new Notices(must('[data-status]'), must('[data-notices]'));
const inCall = inCallMarker(roomId);

function showEnded(message: string, canRejoin = true): void {
  notices.setStatus(null);
  must<HTMLElement>('[data-action=rejoin]').hidden = !canRejoin;
  must<HTMLElement>('[data-left-message]').textContent = message;
  must<HTMLElement>('[data-left]').hidden = false;
  body.dataset.phase = 'ended';
}

async function copyLink(): Promise<void> {
  if (await copyText(roomLink)) notices.show(t('room.linkCopied'));
  else notices.show(t('dashboard.copyFailed', { link: roomLink }), 'warning');
}

async function start(): Promise<void> {
  // The socket connects while the user checks how they look, so that Join costs one frame.
  const signaling = new SignalingClient(SignalingClient.urlFor(roomId));
  signaling.preconnect();
  const join = joinRequested(inCall.takeOnReload());
  const devices = rememberedDevices();
  const acquired = await acquireLocalMedia(devices);
  const local = new LocalTracks(acquired.stream);
  const warning = mediaWarning(acquired);
  const warningBox = must<HTMLElement>('[data-media-warning]');
  warningBox.hidden = warning === null;
  warningBox.textContent = warning ?? '';

  const call = new Call({ roomId, local, rtcConfig, callLostAfterMs, uploadBudgetBps, signaling });
  const tileState = (state: Omit<TileState, 'hasRelay'>): TileState => ({ ...state, hasRelay });
  const selfTile = (): TileState => tileState({ id: 'self', kind: 'camera', self: true, name: username, stream: local.stream, media: call.mediaState });

  // The pre-join preview is a tile of its own, with the same look as in the call.
  const preview = new Tile(selfTile(), { pin: () => undefined, showStats: () => undefined });
  must<HTMLElement>('[data-preview]').append(preview.element);

  const stage = new Stage({ stage: must('[data-stage]'), grid: must('[data-grid]'), spotlight: must('[data-spotlight]') }, { showStats: (id) => void showStats(id) });
  const chatView = new ChatView(must<HTMLOListElement>('[data-messages]'), must<HTMLElement>('[data-empty=chat]'), { userId, name: username });
  const panel = new SidePanel();
  const people = new PeopleView(must<HTMLUListElement>('[data-people]'), {
    verify: (peerId) => void showVerification(peerId),
    ...(isOwner ? { moderate } : {}),
  });
  const reactions = new ReactionLayer(must('[data-reactions-layer]'));
  const speakerChoice = () => rememberedDevices().audiooutput;

  const peerTiles = (peer: RemotePeer) => {
    stage.upsert(tileState({ id: peer.peerId, kind: 'camera', self: false, name: displayName(peer), stream: peer.camera, media: peer.media, link: peer.link, stats: peer.stats }));
    const screenId = `${peer.peerId}:screen`;
    if (peer.screen) stage.upsert(tileState({ id: screenId, kind: 'screen', self: false, name: displayName(peer), stream: peer.screen, media: peer.media }));
    else stage.remove(screenId);
    const video = stage.tile(peer.peerId)?.video;
    if (video) void useSpeaker(video, speakerChoice());
  };
  const renderSelf = () => {
    preview.update(selfTile());
    stage.upsert(selfTile());
    if (local.screen) stage.upsert(tileState({ id: 'self:screen', kind: 'screen', self: true, name: username, stream: local.screen, media: call.mediaState }));
    else stage.remove('self:screen');
  };
  const renderPeople = () => {
    people.render({ name: username, media: call.mediaState }, call.remotePeers);
    const count = call.remotePeers.length + 1;
    must<HTMLElement>('[data-participants]').textContent = t('room.participants', { count });
    must<HTMLElement>('[data-people-label]').textContent = t('room.peopleCount', { count });
  };
  const controls = new Controls({
    mic: () => call.setAudio(!call.mediaState.audio),
    camera: () => call.setVideo(!call.mediaState.video),
    screen: () => void toggleScreen(),
    hand: () => call.setHand(!call.mediaState.hand),
    react: (reaction) => {
      if (call.react(reaction)) reactions.show(reaction, t('room.you', { name: username }));
    },
    people: () => panel.toggle('people'),
    selfView: () => {
      stage.setHideSelf(!stage.selfHidden);
      if (stage.selfHidden) notices.show(t('room.selfHidden'));
      renderControls();
    },
    settings: () => must<HTMLDialogElement>('[data-settings]').showModal(),
    shortcuts: () => must<HTMLDialogElement>('[data-shortcuts]').showModal(),
    // The QR code's encoder is loaded when first asked for: most calls never need it.
    qr: () => void import('../common/qr.ts').then(({ showQrDialog }) => showQrDialog(must('.room-name').textContent ?? '', roomLink)),
    lock: () => void toggleLock(),
    leave: () => {
      inCall.set(false);
      call.leave();
      ringResults.close();
      local.stopAll();
      stage.clearRemote();
      showEnded(t('room.left'));
    },
  });
  const renderControls = () =>
    controls.render({
      audio: call.mediaState.audio,
      video: call.mediaState.video,
      hasAudio: local.has('audio'),
      hasVideo: local.has('video'),
      sharing: local.screen !== null,
      canShare: LocalTracks.canShareScreen(),
      hand: call.mediaState.hand === true,
      selfHidden: stage.selfHidden,
      locked: body.dataset.locked === 'true',
    });

  /** The owner's controls on someone in the call (the server checks it is the owner asking). */
  function moderate(action: 'mute' | 'remove', peer: RemotePeer): void {
    if (action === 'remove' && !window.confirm(t('room.removeConfirm', { name: displayName(peer) }))) return;
    if (!call.moderate(action, peer.peerId)) {
      notices.show(t('room.reconnecting'), 'warning');
      return;
    }
    if (action === 'mute') notices.show(t('room.youMuted', { name: displayName(peer) }));
  }

  async function toggleLock(): Promise<void> {
    try {
      const room = await api<Room>('PATCH', `/api/rooms/${roomId}`, { locked: body.dataset.locked !== 'true' });
      body.dataset.locked = String(room.locked);
      notices.show(t(room.locked ? 'room.roomLocked' : 'room.roomUnlocked'));
      renderControls();
    } catch (error) {
      notices.show(error instanceof ApiError ? error.message : t('error.generic'), 'warning');
    }
  }

  async function toggleScreen(): Promise<void> {
    if (local.screen) {
      local.stopScreen();
      return;
    }
    try {
      await local.startScreen();
    } catch (error) {
      // Declining the browser's picker is a choice, not a failure.
      if ((error as DOMException).name !== 'NotAllowedError') notices.show(t('room.screenFailed'), 'warning');
    }
  }

  async function showVerification(peerId: string): Promise<void> {
    const peer = call.remotePeers.find((p) => p.peerId === peerId);
    if (!peer) return;
    const dialog = must<HTMLDialogElement>('[data-verify-dialog]');
    must<HTMLElement>('[data-verify-title]').textContent = t('room.verifyTitle', { name: displayName(peer) });
    must<HTMLElement>('[data-verify-explain]').textContent = t('room.verifyExplain', { name: displayName(peer) });
    const code = await call.verificationCode(peerId);
    const codeBox = must<HTMLElement>('[data-verify-code]');
    codeBox.textContent = code ?? t('room.verifyPending');
    codeBox.classList.toggle('pending', code === null);
    dialog.showModal();
  }

  function showStats(id: string): void {
    const peer = call.remotePeers.find((p) => p.peerId === id);
    if (!peer) return;
    must<HTMLElement>('[data-stats-title]').textContent = t('room.stats.details', { name: displayName(peer) });
    const list = must<HTMLElement>('[data-stats-list]');
    const stats = peer.stats;
    const rows: Array<[MessageKey, string | null]> = stats
      ? [
          ['room.stats.route', stats.path ? t(`room.path.${stats.path}`) : null],
          ['room.stats.rtt', stats.rttMs === null ? null : `${stats.rttMs} ms`],
          ['room.stats.loss', stats.lossPercent === null ? null : `${stats.lossPercent} %`],
          ['room.stats.received', stats.inKbps === null ? null : `${stats.inKbps} kbit/s`],
          ['room.stats.sent', stats.outKbps === null ? null : `${stats.outKbps} kbit/s`],
          ['room.stats.video', stats.video ? `${stats.video.width}×${stats.video.height}, ${stats.video.fps} fps` : null],
        ]
      : [];
    const shown = rows.filter(([, value]) => value !== null);
    list.replaceChildren(...(shown.length > 0
      ? shown.flatMap(([key, value]) => [Object.assign(document.createElement('dt'), { textContent: t(key) }), Object.assign(document.createElement('dd'), { textContent: value })])
      : [Object.assign(document.createElement('dd'), { textContent: t('room.stats.none') })]));
    must<HTMLDialogElement>('[data-stats]').showModal();
  }

  // The "waiting for others" card, while I am alone in the call.
  const waiting = must<HTMLElement>('[data-waiting]');
  must<HTMLInputElement>('[data-room-link]').value = roomLink;
  stage.onChange = () => {
    waiting.hidden = body.dataset.phase !== 'call' || call.remotePeers.length > 0;
  };
  const ringResults = new RingResults((text) => notices.show(text));
  must<HTMLFormElement>('[data-send-link]').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = must<HTMLInputElement>('input', form);
    const invitee = input.value.trim();
    if (!invitee) return;
    try {
      ringResults.listen();
      await api('POST', '/send_link', { room_id: roomId, username: invitee });
      input.value = '';
      notices.show(t('dashboard.inviteSent', { name: invitee }));
    } catch (error) {
      notices.show(error instanceof ApiError ? error.message : t('error.generic'), 'warning');
    }
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action=copy-link]')) button.addEventListener('click', () => void copyLink());

  // The one line about the call's current state: the connection first, then my camera.
  const status = { connection: 'lobby' as 'lobby' | 'joining' | 'open' | 'reconnecting', cameraPaused: false };
  const showStatus = () => {
    if (body.dataset.phase === 'ended') return;
    if (status.connection === 'joining') notices.setStatus(t('room.joining'));
    else if (status.connection === 'reconnecting') notices.setStatus(t('room.reconnecting'));
    else if (status.cameraPaused) notices.setStatus(t('room.audioOnlyMode'));
    else notices.setStatus(null);
  };

  const pickers = new DevicePickers(
    async (kind: DeviceKind, deviceId: string) => {
      rememberDevice(kind, deviceId);
      if (kind === 'audiooutput') {
        for (const video of document.querySelectorAll<HTMLVideoElement>('.tile[data-self=false] video')) void useSpeaker(video, deviceId);
        return;
      }
      try {
        await local.switchDevice(kind, deviceId);
      } catch {
        notices.show(t('media.busy'), 'warning');
      }
      renderSelf();
      renderControls();
      void pickers.refresh();
    },
    () => ({ videoinput: local.track('video')?.getSettings().deviceId, audioinput: local.track('audio')?.getSettings().deviceId, audiooutput: speakerChoice() }),
  );
  void pickers.refresh();
  const stopLobbyMeter = showMicrophoneLevel(local);

  call.on('self-updated', () => {
    renderSelf();
    renderControls();
    renderPeople();
  });
  call.on('signaling', (state) => {
    if (state.kind === 'reconnecting') status.connection = 'reconnecting';
    if (state.kind === 'open') status.connection = 'open';
    showStatus();
    if (state.kind === 'closed' && state.reason !== 'left') {
      inCall.set(false);
      const key = closeMessages[state.code];
      // A guest's session ends with the guest link (withdrawn or expired): there is no sign-in to go back to.
      if (state.code === CloseCode.sessionEnded && isGuest) {
        showEnded(t('error.guest-link-invalid'), false);
        return;
      }
      showEnded(key ? t(key, { capacity }) : t('error.protocol', { code: state.code }), !noRejoin.has(state.code));
      if (state.code === CloseCode.sessionEnded) location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    }
  });
  call.on('camera-paused', (paused) => {
    status.cameraPaused = paused;
    showStatus();
  });
  call.on('lost', () => {
    inCall.set(false);
    stage.clearRemote();
    local.stopAll();
    showEnded(t('room.callLost'));
  });
  let capacity = 0;
  /** Set once in the call: the people already there when I join are not "joining". */
  let inTheCall = false;
  call.on('joined', (joined) => {
    inTheCall = true;
    capacity = joined.capacity;
    status.connection = 'open';
    showStatus();
    renderPeople();
    stage.scheduleLayout();
  });
  call.on('peer-joined', (peer) => {
    peerTiles(peer);
    renderPeople();
    if (inTheCall) notices.show(t('room.joinedNotice', { name: displayName(peer) }));
  });
  const handsUp = new Set<string>();
  call.on('peer-updated', (peer) => {
    peerTiles(peer);
    renderPeople();
    if (peer.media.hand && !handsUp.has(peer.peerId)) notices.show(t('room.handRaisedBy', { name: displayName(peer) }));
    if (peer.media.hand) handsUp.add(peer.peerId);
    else handsUp.delete(peer.peerId);
  });
  call.on('peer-left', (peer) => {
    stage.remove(peer.peerId);
    stage.remove(`${peer.peerId}:screen`);
    handsUp.delete(peer.peerId);
    renderPeople();
    if (body.dataset.phase === 'call') notices.show(t('room.leftNotice', { name: displayName(peer) }));
  });
  call.on('reaction', ({ peerId, reaction }) => {
    const peer = call.remotePeers.find((p) => p.peerId === peerId);
    if (peer) reactions.show(reaction, displayName(peer));
  });
  call.on('chat', (message) => {
    const unseen = !panel.isShowing('chat') || document.hidden;
    chatView.showStored(message, unseen);
    if (message.userId !== userId) panel.messageArrived();
  });
  call.on('chat-pending', (pending) => chatView.showPending(pending));
  call.on('chat-refused', ({ pending, code, retryAfterSeconds }) => {
    chatView.showRefused(pending.clientId);
    if (code === 'chat-quota') {
      const time = new Date(Date.now() + (retryAfterSeconds ?? 0) * 1000).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
      notices.show(t('error.chat-quota', { time }), 'warning');
    } else notices.show(t('room.messageRefused'), 'warning');
  });
  call.on('muted-by', (by) => notices.show(t('room.mutedBy', { name: by }), 'warning'));
  call.on('error', (error) => {
    if (error.code === 'room-full') capacity = error.capacity ?? capacity;
  });
  for (const pending of call.chat.pending()) chatView.showPending(pending);
  panel.onShow = (view) => {
    if (view === 'chat') chatView.opened();
  };
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) panel.seen();
  });

  const form = must<HTMLFormElement>('[data-chat-form]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = must<HTMLInputElement>('input', form);
    const text = input.value.trim();
    if (isBlank(text)) return;
    call.sendChat(text);
    input.value = '';
  });
  must<HTMLButtonElement>('[data-action=rejoin]').addEventListener('click', () => {
    inCall.set(true);
    location.reload();
  });
  installShortcuts((action) => {
    if (body.dataset.phase !== 'call') return;
    if (action === 'mic') call.setAudio(!call.mediaState.audio);
    else if (action === 'camera') call.setVideo(!call.mediaState.video);
    else if (action === 'chat') panel.toggle('chat');
    else if (action === 'people') panel.toggle('people');
    else if (action === 'hand') call.setHand(!call.mediaState.hand);
    else must<HTMLDialogElement>('[data-shortcuts]').showModal();
  });
  renderSelf();
  renderControls();
  // Exposed for end-to-end tests and for debugging from the console.
  (window as unknown as { __call?: Call }).__call = call;

  await join;
  stopLobbyMeter();
  inCall.set(true);
  preview.remove();
  body.dataset.phase = 'call';
  must<HTMLElement>('[data-lobby]').hidden = true;
  must<HTMLElement>('[data-call]').hidden = false;
  status.connection = 'joining';
  showStatus();
  call.start();
  stage.scheduleLayout();
  panel.openIfPreferred();
  watchSpeaking(call, local, stage);
}

void start();
