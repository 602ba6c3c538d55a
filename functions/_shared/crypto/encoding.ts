/**
 * Byte/text encodings on the Web platform only (btoa/atob, TextEncoder), so the same code runs
 * in Deno and Node. Decoders are strict: they return `null` for input that is not exactly in
 * the expected alphabet (callers turn that into their own typed error, never echoing the input).
 */

const utf8Encoder = new TextEncoder();
const utf8StrictDecoder = new TextDecoder("utf-8", { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8; `null` when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return utf8StrictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

function bytesToBinary(bytes: Uint8Array): string {
  let out = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    out += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return out;
}

function binaryToBytes(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes));
}

/** base64url without padding (RFC 4648 §5), as used in stored envelope values. */
export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Standard base64 (padding optional). `null` if any character is outside the alphabet or the
 * length is impossible.
 */
export function base64DecodeStrict(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  if (text.includes("=") && text.length % 4 !== 0) return null;
  const padded = unpadded + "=".repeat((4 - (unpadded.length % 4)) % 4);
  try {
    return binaryToBytes(atob(padded));
  } catch {
    return null;
  }
}

/** base64url without padding. `null` on any character outside the url-safe alphabet. */
export function base64UrlDecodeStrict(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return base64DecodeStrict(text.replace(/-/g, "+").replace(/_/g, "/"));
}

/** Hex (either case, even length). `null` otherwise. */
export function hexDecodeStrict(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function hexEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * A fresh ArrayBuffer holding a copy of `bytes`: what WebCrypto accepts under every TypeScript
 * lib version (Deno 2.1's and Node's typings disagree on `Uint8Array` generics).
 */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Constant-time-ish equality for short byte strings (no early exit). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
