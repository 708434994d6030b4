/**
 * Where a raw request comes from and was sent to (client address, protocol,
 * host), read exactly as Fastify reads `request.ip`, `.protocol` and `.host`
 * with the same TRUST_PROXY list. The WebSocket upgrade is handled on the raw
 * HTTP server (see routes/signaling.ts), so it needs the same answers without a
 * Fastify request.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';

export interface RequestOrigin {
  /** The client's address: the socket peer, or the nearest untrusted X-Forwarded-For hop. */
  ip: string;
  protocol: 'http' | 'https' | string;
  /** The Host header, or X-Forwarded-Host from a trusted proxy. */
  host: string;
}

/** With several values of a forwarded header, the last is the one the nearest proxy set. */
function lastEntry(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

export function requestOriginReader(trustProxy: readonly string[]): (raw: IncomingMessage) => RequestOrigin {
  const trusted = trustProxy.length > 0 ? proxyAddr.compile([...trustProxy]) : undefined;
  return (raw) => {
    const socket = raw.socket;
    const ownProtocol = (socket as TLSSocket).encrypted ? 'https' : 'http';
    const ownHost = raw.headers.host ?? '';
    if (!trusted) return { ip: socket.remoteAddress ?? '', protocol: ownProtocol, host: ownHost };
    const fromProxy = socket.remoteAddress !== undefined && trusted(socket.remoteAddress, 0);
    const forwardedHost = raw.headers['x-forwarded-host'];
    const forwardedProto = raw.headers['x-forwarded-proto'];
    const hops = proxyAddr.all(raw, trusted);
    return {
      ip: hops[hops.length - 1] ?? '',
      protocol: fromProxy && typeof forwardedProto === 'string' && forwardedProto ? lastEntry(forwardedProto) : ownProtocol,
      host: fromProxy && typeof forwardedHost === 'string' && forwardedHost ? lastEntry(forwardedHost) : ownHost,
    };
  };
}
