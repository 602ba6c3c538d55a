/**
 * AES-256-GCM envelope for credential values.
 *
 * Stored form:   v1:<kid>:<iv b64url>:<ciphertext‖tag b64url>
 *   - a fresh random 96-bit IV for every value (never reused, even for equal plaintexts);
 *   - the 128-bit GCM tag appended to the ciphertext (WebCrypto's layout);
 *   - associated data binding the value to its row and column: version, kid, user id,
 *     exchange and field name. A ciphertext copied to another user, exchange or field (or
 *     relabelled with another kid) fails authentication instead of decrypting.
 *
 * Errors (all `CredentialDecryptError` subclasses, see errors.ts) carry no plaintext and no
 * key bytes.
 */
import {
  base64UrlDecodeStrict,
  base64UrlEncode,
  toArrayBuffer,
  utf8DecodeStrict,
  utf8Encode,
} from "./encoding.ts";
import { DecryptionFailedError, MalformedCiphertextError, UnknownKeyIdError } from "./errors.ts";
import { KID_PATTERN, type Keyring } from "./keyring.ts";

export const ENVELOPE_VERSION = "v1";
export const CREDENTIAL_FIELDS = ["api_key", "secret_key", "passphrase"] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/** What a value is bound to: the row (user, exchange — unique per the schema) and the column. */
export interface EnvelopeContext {
  userId: string;
  /** Exchange as the database enum spells it (`gateio`, not `gate`). */
  exchange: string;
  field: CredentialField;
}

export interface ParsedEnvelope {
  version: typeof ENVELOPE_VERSION;
  kid: string;
  iv: Uint8Array;
  /** Ciphertext followed by the 16-byte tag. */
  sealed: Uint8Array;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** True when the value looks like an envelope (`v1:` prefix), i.e. is not a legacy value. */
export function isEnvelope(value: string): boolean {
  return typeof value === "string" && value.startsWith(`${ENVELOPE_VERSION}:`);
}

/** Splits and decodes a stored value. Throws `MalformedCiphertextError`. */
export function parseEnvelope(value: string): ParsedEnvelope {
  if (typeof value !== "string") throw new MalformedCiphertextError("not a string");
  const parts = value.split(":");
  if (parts.length !== 4) {
    throw new MalformedCiphertextError("expected v1:<kid>:<iv>:<ciphertext>");
  }
  const [version, kid, ivText, sealedText] = parts;
  if (version !== ENVELOPE_VERSION) {
    throw new MalformedCiphertextError(`unsupported version ${JSON.stringify(version.slice(0, 8))}`);
  }
  if (!KID_PATTERN.test(kid)) throw new MalformedCiphertextError("invalid key id");
  const iv = base64UrlDecodeStrict(ivText);
  if (iv === null || iv.length !== IV_BYTES) {
    throw new MalformedCiphertextError("the IV is not 12 bytes of base64url", kid);
  }
  const sealed = base64UrlDecodeStrict(sealedText);
  if (sealed === null || sealed.length < TAG_BYTES) {
    throw new MalformedCiphertextError("the ciphertext is not base64url of at least 16 bytes", kid);
  }
  return { version: ENVELOPE_VERSION, kid, iv, sealed };
}

/** The key id a stored value is encrypted with; `null` when the value is not an envelope. */
export function kidOf(value: string | null | undefined): string | null {
  if (typeof value !== "string" || !isEnvelope(value)) return null;
  const kid = value.split(":")[1];
  return kid !== undefined && KID_PATTERN.test(kid) ? kid : null;
}

/**
 * Whether a stored value should be re-encrypted: it is an envelope on a key other than the
 * active one, or not an envelope at all (legacy CBC). `null`/empty values need nothing.
 */
export function needsRotation(keyring: Keyring, value: string | null | undefined): boolean {
  if (value === null || value === undefined || value === "") return false;
  return kidOf(value) !== keyring.activeKid;
}

function checkContext(ctx: EnvelopeContext): void {
  if (!ctx || typeof ctx.userId !== "string" || ctx.userId === "") {
    throw new TypeError("envelope context: userId must be a non-empty string");
  }
  if (typeof ctx.exchange !== "string" || ctx.exchange === "") {
    throw new TypeError("envelope context: exchange must be a non-empty string");
  }
  if (!(CREDENTIAL_FIELDS as readonly string[]).includes(ctx.field)) {
    throw new TypeError(`envelope context: field must be one of ${CREDENTIAL_FIELDS.join(", ")}`);
  }
}

/** Associated data: an unambiguous JSON array (no separator games between user id and exchange). */
function associatedData(kid: string, ctx: EnvelopeContext): ArrayBuffer {
  return toArrayBuffer(
    utf8Encode(JSON.stringify(["crypto-graph-trader/credential", ENVELOPE_VERSION, kid, ctx.userId, ctx.exchange, ctx.field])),
  );
}

/** Encrypts with the active key. */
export async function encryptValue(keyring: Keyring, plaintext: string, ctx: EnvelopeContext): Promise<string> {
  return await encryptValueWithKid(keyring, keyring.activeKid, plaintext, ctx);
}

/** Encrypts with a given configured kid (tests and tooling; production uses the active key). */
export async function encryptValueWithKid(
  keyring: Keyring,
  kid: string,
  plaintext: string,
  ctx: EnvelopeContext,
): Promise<string> {
  if (typeof plaintext !== "string") throw new TypeError("plaintext must be a string");
  checkContext(ctx);
  const key = keyring.key(kid);
  if (!key) throw new UnknownKeyIdError(kid);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: toArrayBuffer(iv), additionalData: associatedData(kid, ctx), tagLength: 128 },
      key,
      toArrayBuffer(utf8Encode(plaintext)),
    ),
  );
  return `${ENVELOPE_VERSION}:${kid}:${base64UrlEncode(iv)}:${base64UrlEncode(sealed)}`;
}

/**
 * Decrypts a stored value for the given row and field. Throws `MalformedCiphertextError`,
 * `UnknownKeyIdError` or `DecryptionFailedError`.
 */
export async function decryptValue(keyring: Keyring, value: string, ctx: EnvelopeContext): Promise<string> {
  checkContext(ctx);
  const env = parseEnvelope(value);
  const key = keyring.key(env.kid);
  if (!key) throw new UnknownKeyIdError(env.kid);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: toArrayBuffer(env.iv), additionalData: associatedData(env.kid, ctx), tagLength: 128 },
      key,
      toArrayBuffer(env.sealed),
    );
  } catch {
    throw new DecryptionFailedError(env.kid, `the encrypted ${ctx.field}`);
  }
  const text = utf8DecodeStrict(new Uint8Array(plain));
  if (text === null) throw new MalformedCiphertextError("the decrypted bytes are not UTF-8", env.kid);
  return text;
}

/**
 * Re-encrypts a value onto the active key (decrypt + encrypt, same row binding). Returns the
 * value unchanged when it already is on the active key.
 */
export async function reencryptValue(keyring: Keyring, value: string, ctx: EnvelopeContext): Promise<string> {
  if (kidOf(value) === keyring.activeKid) {
    // Still authenticate it, so rotation never blesses a corrupted value.
    await decryptValue(keyring, value, ctx);
    return value;
  }
  return encryptValue(keyring, await decryptValue(keyring, value, ctx), ctx);
}
