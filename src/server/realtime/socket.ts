/**
 * The little room logic needs from a WebSocket. Room code depends on this,
 * not on `ws`, so unit tests drive it with an in-memory socket.
 */
export interface PeerSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending but not yet written to the network. */
  readonly bufferedAmount: number;
}
