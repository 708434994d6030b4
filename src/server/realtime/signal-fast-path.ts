/**
 * A hand-written check for the one message that dominates a call's traffic:
 * `signal`. Under load the zod schema cost about as much as parsing the JSON
 * and copied every message (3 KB SDPs included) into a new object; this check
 * reads the parsed object in place. It may only accept what the schema
 * accepts (a property test holds it to that); anything it does not accept
 * goes on to the schema, which gives the verdict and the error detail.
 */
import { SDP_MAX_CHARS } from '../../shared/limits.js';
import type { ClientMessageOf } from '../../shared/protocol.js';

const PEER_ID = /^[A-Za-z0-9_-]{8,64}$/;
const CANDIDATE_KEYS: ReadonlySet<string> = new Set(['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment']);

type Record = { [key: string]: unknown };

/** A plain object parsed from JSON with exactly `count` own keys. */
function isObjectWithKeys(value: unknown, count: number): value is Record {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === count;
}

function isShortString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isOptionalShortString(value: unknown, max: number): boolean {
  return value === undefined || value === null || isShortString(value, max);
}

function isDescription(payload: Record): boolean {
  const description = payload.description;
  return isObjectWithKeys(payload, 2)
    && isObjectWithKeys(description, 2)
    && (description.type === 'offer' || description.type === 'answer')
    && isShortString(description.sdp, SDP_MAX_CHARS);
}

function isCandidate(payload: Record): boolean {
  const candidate = payload.candidate;
  if (!isObjectWithKeys(payload, 2) || typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return false;
  for (const key of Object.keys(candidate)) if (!CANDIDATE_KEYS.has(key)) return false;
  const { candidate: line, sdpMid, sdpMLineIndex, usernameFragment } = candidate as Record;
  return isShortString(line, 2048)
    && isOptionalShortString(sdpMid, 64)
    && isOptionalShortString(usernameFragment, 256)
    && (sdpMLineIndex === undefined || sdpMLineIndex === null
      || (typeof sdpMLineIndex === 'number' && Number.isInteger(sdpMLineIndex) && sdpMLineIndex >= 0 && sdpMLineIndex <= 255));
}

/** The message itself when it is a valid `signal`; undefined when the schema must decide. */
export function acceptSignal(data: unknown): ClientMessageOf<'signal'> | undefined {
  if (!isObjectWithKeys(data, 3) || data.type !== 'signal') return undefined;
  const { to, payload } = data;
  if (typeof to !== 'string' || !PEER_ID.test(to) || typeof payload !== 'object' || payload === null) return undefined;
  const kind = (payload as Record).kind;
  const valid = kind === 'description' ? isDescription(payload as Record) : kind === 'candidate' ? isCandidate(payload as Record) : false;
  return valid ? (data as ClientMessageOf<'signal'>) : undefined;
}
