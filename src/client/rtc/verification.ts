/**
 * Verified encryption. Media between two browsers is encrypted with keys
 * agreed over DTLS, and each browser checks the other's certificate against
 * the fingerprint in the SDP it received through our server. A server that
 * replaced those fingerprints (to sit in the middle) would go unnoticed; so
 * each side shows a short code made from both fingerprints as it sees them.
 * When the two people read the same code to each other, nobody replaced
 * anything: the call is end-to-end encrypted between their two browsers.
 */

/** The certificate fingerprints an SDP declares, as `algorithm value` with the value upper-cased. */
export function fingerprintsOf(sdp: string): string[] {
  const found = new Set<string>();
  for (const [, algorithm, value] of sdp.matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/gm)) {
    found.add(`${algorithm!.toLowerCase()} ${value!.toUpperCase()}`);
  }
  return [...found].sort();
}

/** Digits in the code: 8 (about 26 bits), read as two groups of four. */
const CODE_DIGITS = 8;

/**
 * The code for a peer connection, from my local and remote descriptions; the
 * other side computes the same from its own (the pair is sorted, so it does
 * not matter which side is "local"). Null until both descriptions are set.
 */
export async function verificationCode(localSdp: string | undefined, remoteSdp: string | undefined): Promise<string | null> {
  const mine = fingerprintsOf(localSdp ?? '');
  const theirs = fingerprintsOf(remoteSdp ?? '');
  if (mine.length === 0 || theirs.length === 0) return null;
  const pair = [mine.join(','), theirs.join(',')].sort().join('|');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`callroom-verify-v1|${pair}`)));
  // 48 bits of the hash, reduced to the code's digits (the bias is below 1e-6).
  let value = 0;
  for (const byte of digest.subarray(0, 6)) value = value * 256 + byte;
  const digits = String(value % 10 ** CODE_DIGITS).padStart(CODE_DIGITS, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}
