/**
 * A peer connection readied before anyone is known: my media added, the
 * offer created and set, ICE candidates gathering. Whoever joins a room
 * offers to the people already there; with this ready on the pre-join
 * screen, the first offer goes out the moment the room answers instead of
 * after creating a connection and an offer (~35–50 ms in the benchmark).
 * An offer is not addressed to anyone, so it serves whichever peer is first.
 */
import type { SignalCandidate } from '../../shared/protocol.js';

/**
 * A prepared offer older than this is replaced before use, in milliseconds:
 * its candidates may no longer match the network (a laptop that moved while
 * the pre-join screen was open).
 */
export const PREPARED_OFFER_MAX_AGE_MS = 60_000;

export class PreparedOffer {
  readonly pc: RTCPeerConnection;
  readonly createdAt = Date.now();
  /** Settles once the offer is the local description (or failed: then the connection negotiates as usual). */
  readonly ready: Promise<void>;
  private readonly gathered: SignalCandidate[] = [];
  private readonly collect = ({ candidate }: RTCPeerConnectionIceEvent) => {
    if (candidate) this.gathered.push(candidate.toJSON() as SignalCandidate);
  };

  constructor(config: RTCConfiguration, localStream: MediaStream | null) {
    this.pc = new RTCPeerConnection(config);
    this.pc.addEventListener('icecandidate', this.collect);
    addOfferMedia(this.pc, localStream);
    this.ready = this.pc.setLocalDescription().catch(() => undefined);
  }

  /** Hands the connection over; returns the candidates gathered so far (later ones go to the new owner's listener). */
  take(): SignalCandidate[] {
    this.pc.removeEventListener('icecandidate', this.collect);
    return this.gathered.splice(0);
  }
}

/**
 * The offering side's media: my tracks, and a receive-only line for a kind I
 * cannot send, so the other side's camera or microphone still reaches me.
 */
export function addOfferMedia(pc: RTCPeerConnection, localStream: MediaStream | null): void {
  for (const track of localStream?.getTracks() ?? []) pc.addTrack(track, localStream!);
  for (const kind of ['audio', 'video'] as const) {
    if (!pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
  }
}
