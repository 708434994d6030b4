/**
 * The handshake checks `ws` makes (`WebSocketServer.handleUpgrade`), made
 * before ours. A malformed upgrade is then refused before it costs a session
 * lookup, and without counting as a failed sign-in for its address: it did
 * not try to sign in. `ws` still checks again, and also parses the
 * subprotocol and extension headers.
 */
import type { IncomingMessage } from 'node:http';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { HttpError } from '../http/errors.ts';

/** A Sec-WebSocket-Key is 16 random bytes in base64 (RFC 6455 §4.1). */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;
/** ws reads the version as a number (`+header`), so "013" is 13 too. */
const WEBSOCKET_VERSIONS: ReadonlySet<number> = new Set([8, 13]);

/** Why this upgrade request is not a WebSocket handshake `ws` would accept, or undefined. */
export function handshakeError(request: IncomingMessage): HttpError | undefined {
  const invalid = (message: string) => new HttpError(400, ApiErrorCode.invalidInput, message);
  if (request.method !== 'GET') return new HttpError(405, ApiErrorCode.invalidInput, 'Invalid HTTP method', { Allow: 'GET' });
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return invalid('Invalid Upgrade header');
  const key = request.headers['sec-websocket-key'];
  if (key === undefined || !WEBSOCKET_KEY.test(key)) return invalid('Missing or invalid Sec-WebSocket-Key header');
  if (!WEBSOCKET_VERSIONS.has(Number(request.headers['sec-websocket-version']))) {
    // RFC 6455 §4.4: a version the server does not speak is answered with the ones it does.
    return new HttpError(400, ApiErrorCode.invalidInput, 'Missing or invalid Sec-WebSocket-Version header', { 'Sec-WebSocket-Version': '13, 8' });
  }
  return undefined;
}
