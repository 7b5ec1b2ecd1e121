/**
 * The few crypto needs of the daemon core, on APIs that exist in Node and in browsers alike
 * (`crypto.getRandomValues`, a pure-JS SHA-256), so the same core runs under MSW in a page.
 */
import { sha256 } from '@noble/hashes/sha2';

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** getRandomValues refuses more than this per call. */
const MAX_RANDOM_CHUNK = 65_536;

/** Node's native hash where there is one (grant ids hash their scope and key), else pure JS. */
type NodeCrypto = {
  /** One-shot hash (Node ≥ 20.12): no Hash object per call. */
  hash?(algorithm: 'sha256', text: string, encoding: 'buffer'): Uint8Array;
  createHash(algorithm: 'sha256'): { update(text: string, encoding: 'utf8'): { digest(): Uint8Array } };
};
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | NodeCrypto
  | undefined;
const oneShot = nodeCrypto?.hash?.bind(nodeCrypto);

export const sha256Utf8: (text: string) => Uint8Array = oneShot
  ? (text) => oneShot('sha256', text, 'buffer')
  : nodeCrypto
    ? (text) => nodeCrypto.createHash('sha256').update(text, 'utf8').digest()
    : (text) => sha256(encoder.encode(text));

/** Node's Buffer where there is one: native UTF-8 byte counts and hex encoding. */
type NodeBuffer = { byteLength(text: string, encoding: 'utf8'): number; allocUnsafeSlow(size: number): Uint8Array; isBuffer(value: unknown): boolean };
const nativeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
type HexEncodable = { toString(encoding: 'hex', start: number, end: number): string };

/** Random bytes; a Buffer on Node, so `toHex` of them takes the native encoder. */
export function randomBytes(length: number): Uint8Array {
  const out = nativeBuffer ? nativeBuffer.allocUnsafeSlow(length) : new Uint8Array(length);
  for (let at = 0; at < length; at += MAX_RANDOM_CHUNK) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + MAX_RANDOM_CHUNK)));
  return out;
}

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // A Buffer's native encoder makes one flat string (hot: every event id), not one joined piece per byte.
  if (nativeBuffer?.isBuffer(bytes)) return (bytes as unknown as HexEncodable).toString('hex', start, end);
  let out = '';
  for (let i = start; i < end; i++) out += HEX[bytes[i]!]!;
  return out;
}

/**
 * Whether two strings are equal, in time that depends on their length only (not on where they
 * differ): Go's `subtle.ConstantTimeCompare`, which also answers at once for different lengths.
 * Equal code units is equal UTF-8 bytes.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Node's native count where there is one (hot: every flood delta), else an encode. */
export const utf8ByteLength: (text: string) => number = nativeBuffer
  ? (text) => nativeBuffer.byteLength(text, 'utf8')
  : (text) => encoder.encode(text).byteLength;
