/**
 * The keyring: AES-256-GCM keys by key id, loaded from function secrets.
 *
 *   CREDENTIAL_KEYS       = {"2026-01":"<base64 of 32 random bytes>", "2025-06":"…"}
 *   CREDENTIAL_ACTIVE_KID = 2026-01
 *
 * New values are encrypted with the active key; every configured key stays readable, so keys
 * rotate without downtime (see rotation.ts). Anything malformed throws `CryptoConfigError` at
 * load — no fallback, no default key — naming the variable and the key id, never key material.
 *
 * Generate a key: `node -e "console.log(crypto.randomBytes(32).toString('base64'))"`
 * or `openssl rand -base64 32`.
 */
import { CryptoConfigError } from "./errors.ts";
import { base64DecodeStrict, base64UrlDecodeStrict, toArrayBuffer } from "./encoding.ts";

/** Environment as a plain record: the caller passes `Deno.env.toObject()` or `process.env`. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Key ids: 1–64 characters of `A-Z a-z 0-9 . _ -` (no `:`, the stored value's separator). */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface Keyring {
  readonly activeKid: string;
  /** Every configured key id, active first. */
  readonly kids: readonly string[];
  has(kid: string): boolean;
  /** The AES-GCM key (non-extractable) for a kid, or undefined. */
  key(kid: string): CryptoKey | undefined;
}

export interface KeyringConfig {
  activeKid: string;
  /** kid → 32 raw key bytes. */
  keys: Map<string, Uint8Array>;
}

/**
 * Validates the secrets and returns the raw keys (synchronous; use it to fail fast at start).
 * Throws `CryptoConfigError` for: missing/invalid JSON, a non-object, an empty set, a bad kid,
 * a key that is not base64 of exactly 32 bytes, a missing or unknown active kid.
 */
export function parseKeyringConfig(env: EnvRecord): KeyringConfig {
  const rawKeys = env.CREDENTIAL_KEYS;
  if (rawKeys === undefined || rawKeys.trim() === "") {
    throw new CryptoConfigError(
      "CREDENTIAL_KEYS",
      'CREDENTIAL_KEYS is not set: it must be a JSON object of key id → base64 32-byte key, e.g. {"k1":"<openssl rand -base64 32>"}',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawKeys);
  } catch {
    // The JSON parser's message may quote the input (key material): do not include it.
    throw new CryptoConfigError(
      "CREDENTIAL_KEYS",
      "CREDENTIAL_KEYS is not valid JSON: it must be a JSON object of key id → base64 32-byte key",
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CryptoConfigError(
      "CREDENTIAL_KEYS",
      "CREDENTIAL_KEYS must be a JSON object of key id → base64 32-byte key (got " +
        (Array.isArray(parsed) ? "an array" : parsed === null ? "null" : `a ${typeof parsed}`) + ")",
    );
  }
  const keys = new Map<string, Uint8Array>();
  for (const [kid, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!KID_PATTERN.test(kid)) {
      throw new CryptoConfigError(
        "CREDENTIAL_KEYS",
        `CREDENTIAL_KEYS: key id ${JSON.stringify(kid.slice(0, 64))} is invalid: use 1–64 characters of A-Z a-z 0-9 . _ -`,
        kid,
      );
    }
    if (typeof value !== "string") {
      throw new CryptoConfigError(
        "CREDENTIAL_KEYS",
        `CREDENTIAL_KEYS: key ${JSON.stringify(kid)} must be a base64 string of 32 bytes (got a ${value === null ? "null" : typeof value})`,
        kid,
      );
    }
    const trimmed = value.trim();
    const bytes = base64DecodeStrict(trimmed) ?? base64UrlDecodeStrict(trimmed);
    if (bytes === null) {
      throw new CryptoConfigError(
        "CREDENTIAL_KEYS",
        `CREDENTIAL_KEYS: key ${JSON.stringify(kid)} is not valid base64`,
        kid,
      );
    }
    if (bytes.length !== 32) {
      throw new CryptoConfigError(
        "CREDENTIAL_KEYS",
        `CREDENTIAL_KEYS: key ${JSON.stringify(kid)} decodes to ${bytes.length} bytes; AES-256 needs exactly 32`,
        kid,
      );
    }
    keys.set(kid, bytes);
  }
  if (keys.size === 0) {
    throw new CryptoConfigError("CREDENTIAL_KEYS", "CREDENTIAL_KEYS holds no key");
  }
  const activeKid = env.CREDENTIAL_ACTIVE_KID?.trim();
  if (!activeKid) {
    throw new CryptoConfigError(
      "CREDENTIAL_ACTIVE_KID",
      `CREDENTIAL_ACTIVE_KID is not set: it must name one of the configured key ids (${[...keys.keys()].map((k) => JSON.stringify(k)).join(", ")})`,
    );
  }
  if (!keys.has(activeKid)) {
    throw new CryptoConfigError(
      "CREDENTIAL_ACTIVE_KID",
      `CREDENTIAL_ACTIVE_KID names key id ${JSON.stringify(activeKid)}, which is not in CREDENTIAL_KEYS (configured: ${[...keys.keys()].map((k) => JSON.stringify(k)).join(", ")})`,
      activeKid,
    );
  }
  return { activeKid, keys };
}

/** Imports validated raw keys as non-extractable AES-GCM keys. */
export async function keyringFromConfig(config: KeyringConfig): Promise<Keyring> {
  const imported = new Map<string, CryptoKey>();
  for (const [kid, bytes] of config.keys) {
    imported.set(
      kid,
      await crypto.subtle.importKey("raw", toArrayBuffer(bytes), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]),
    );
  }
  const kids = [config.activeKid, ...[...imported.keys()].filter((k) => k !== config.activeKid)];
  return Object.freeze({
    activeKid: config.activeKid,
    kids: Object.freeze(kids),
    has: (kid: string) => imported.has(kid),
    key: (kid: string) => imported.get(kid),
  });
}

/** Validates the secrets and imports the keys. Throws `CryptoConfigError` on any problem. */
export async function loadKeyring(env: EnvRecord): Promise<Keyring> {
  return await keyringFromConfig(parseKeyringConfig(env));
}

/** A fresh random 32-byte key, base64 (for setup scripts and tests). */
export function generateKeyBase64(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
