/**
 * Reading credentials encrypted the old backend's way, to migrate them into the envelope.
 *
 * The old backend (per the spec): AES-256-CBC, PKCS#7 padding, key from
 * `CREDENTIAL_ENCRYPTION_KEY`, one fixed IV from `CREDENTIAL_IV_KEY` for every row. Its
 * encodings are undocumented, so this module accepts:
 *
 *   CREDENTIAL_ENCRYPTION_KEY (32 bytes)  | CREDENTIAL_IV_KEY (16 bytes)
 *   - hex: 64 characters                  | - hex: 32 characters
 *   - base64 (or base64url): 43/44 chars  | - base64: 22/24 characters
 *   - raw UTF-8 text of exactly 32 bytes  | - raw UTF-8 text of exactly 16 bytes
 *
 * The lengths never overlap, so at most one reading fits; a value that fits none is a
 * configuration error (never a silent fallback). To force a reading, set
 * `CREDENTIAL_ENCRYPTION_KEY_ENCODING` / `CREDENTIAL_IV_KEY_ENCODING` to `hex`, `base64` or
 * `utf8`; the key also accepts `sha256` (key = SHA-256 of the variable's UTF-8 text, a common
 * "derive a key from a passphrase" pattern), which is never guessed.
 *
 * Stored values (ciphertext) are accepted as:
 *   - hex (the Node default `cipher.update(text, 'utf8', 'hex')`),
 *   - base64,
 *   - `<iv hex>:<ciphertext hex>` (per-value IV, the other common Node pattern; the fixed IV is
 *     then not used for that value).
 * Hex is tried before base64 (a hex string is also valid base64). A reading is accepted only if
 * the padding is valid and the plaintext is UTF-8 text without control characters (other than
 * tab/newline, for PEM secrets); CBC has no integrity check, so this is the only defence against
 * a wrong key — the exchange verification after import is the real check.
 */
import {
  base64DecodeStrict,
  base64UrlDecodeStrict,
  hexDecodeStrict,
  toArrayBuffer,
  utf8DecodeStrict,
  utf8Encode,
} from "./encoding.ts";
import { CredentialDecryptError, CryptoConfigError, MalformedCiphertextError } from "./errors.ts";
import { encryptValue, type EnvelopeContext, isEnvelope } from "./envelope.ts";
import type { EnvRecord, Keyring } from "./keyring.ts";

export type LegacyEncoding = "hex" | "base64" | "utf8";
export type LegacyKeyEncoding = LegacyEncoding | "sha256";

export interface LegacyCbc {
  readonly key: CryptoKey;
  readonly iv: Uint8Array;
  /** How each variable was read (for the migration report; no key material). */
  readonly keyEncoding: LegacyKeyEncoding;
  readonly ivEncoding: LegacyEncoding;
}

const ENCODINGS: readonly LegacyEncoding[] = ["hex", "base64", "utf8"];

function decodeAs(text: string, encoding: LegacyEncoding): Uint8Array | null {
  switch (encoding) {
    case "hex":
      return hexDecodeStrict(text);
    case "base64":
      return base64DecodeStrict(text) ?? base64UrlDecodeStrict(text);
    case "utf8":
      return utf8Encode(text);
  }
}

/**
 * Reads one variable as `length` bytes. Exported for tests and tooling. Throws
 * `CryptoConfigError` naming the variable and the lengths it accepts, never the value.
 */
export function readLegacyMaterial(
  variable: string,
  text: string | undefined,
  length: 16 | 32,
  forced?: LegacyEncoding,
): { bytes: Uint8Array; encoding: LegacyEncoding } {
  if (text === undefined || text === "") {
    throw new CryptoConfigError(variable, `${variable} is not set`);
  }
  const value = text.trim();
  if (forced) {
    const bytes = decodeAs(value, forced);
    if (bytes === null) throw new CryptoConfigError(variable, `${variable} is not valid ${forced}`);
    if (bytes.length !== length) {
      throw new CryptoConfigError(
        variable,
        `${variable} read as ${forced} gives ${bytes.length} bytes; it must give exactly ${length}`,
      );
    }
    return { bytes, encoding: forced };
  }
  const fits = ENCODINGS.flatMap((encoding) => {
    const bytes = decodeAs(value, encoding);
    return bytes !== null && bytes.length === length ? [{ bytes, encoding }] : [];
  });
  if (fits.length === 0) {
    throw new CryptoConfigError(
      variable,
      `${variable} (${value.length} characters) is not ${length} bytes as hex (${length * 2} characters), ` +
        `base64 (${Math.ceil((length * 4) / 3)}–${Math.ceil(length / 3) * 4} characters) or raw text (${length} bytes); ` +
        `set ${variable}_ENCODING to hex, base64 or utf8 to force a reading`,
    );
  }
  // The accepted lengths do not overlap, so fits has one element; be explicit if it ever does not.
  if (fits.length > 1) {
    throw new CryptoConfigError(
      variable,
      `${variable} fits several encodings (${fits.map((f) => f.encoding).join(", ")}); set ${variable}_ENCODING to choose one`,
    );
  }
  return fits[0];
}

function parseForced<T extends string>(env: EnvRecord, variable: string, allowed: readonly T[]): T | undefined {
  const raw = env[variable]?.trim().toLowerCase();
  if (!raw) return undefined;
  const normalized = (raw === "utf-8" ? "utf8" : raw) as T;
  if (!allowed.includes(normalized)) {
    throw new CryptoConfigError(variable, `${variable} must be one of ${allowed.join(", ")}`);
  }
  return normalized;
}

/**
 * Loads the legacy key and IV. Returns `null` when neither variable is set (nothing to
 * migrate); throws `CryptoConfigError` when only one is set or either is malformed.
 */
export async function loadLegacyCbc(env: EnvRecord): Promise<LegacyCbc | null> {
  const keyText = env.CREDENTIAL_ENCRYPTION_KEY;
  const ivText = env.CREDENTIAL_IV_KEY;
  if (!keyText && !ivText) return null;
  if (!keyText) {
    throw new CryptoConfigError("CREDENTIAL_ENCRYPTION_KEY", "CREDENTIAL_IV_KEY is set but CREDENTIAL_ENCRYPTION_KEY is not");
  }
  if (!ivText) {
    throw new CryptoConfigError("CREDENTIAL_IV_KEY", "CREDENTIAL_ENCRYPTION_KEY is set but CREDENTIAL_IV_KEY is not");
  }
  const keyForced = parseForced<LegacyKeyEncoding>(env, "CREDENTIAL_ENCRYPTION_KEY_ENCODING", [
    "hex",
    "base64",
    "utf8",
    "sha256",
  ]);
  const ivForced = parseForced<LegacyEncoding>(env, "CREDENTIAL_IV_KEY_ENCODING", ENCODINGS);
  let keyBytes: Uint8Array;
  let keyEncoding: LegacyKeyEncoding;
  if (keyForced === "sha256") {
    keyBytes = new Uint8Array(await crypto.subtle.digest("SHA-256", toArrayBuffer(utf8Encode(keyText))));
    keyEncoding = "sha256";
  } else {
    const read = readLegacyMaterial("CREDENTIAL_ENCRYPTION_KEY", keyText, 32, keyForced);
    keyBytes = read.bytes;
    keyEncoding = read.encoding;
  }
  const iv = readLegacyMaterial("CREDENTIAL_IV_KEY", ivText, 16, ivForced);
  const key = await crypto.subtle.importKey("raw", toArrayBuffer(keyBytes), { name: "AES-CBC" }, false, ["decrypt"]);
  return Object.freeze({ key, iv: iv.bytes, keyEncoding, ivEncoding: iv.encoding });
}

/** Text a credential can be: UTF-8 without control characters other than tab, CR, LF. */
function plausibleCredential(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return text.length > 0 && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
}

function candidates(value: string, fixedIv: Uint8Array): Array<{ iv: Uint8Array; ct: Uint8Array }> {
  const out: Array<{ iv: Uint8Array; ct: Uint8Array }> = [];
  const trimmed = value.trim();
  const sep = trimmed.indexOf(":");
  if (sep === 32) {
    const iv = hexDecodeStrict(trimmed.slice(0, 32));
    const ct = hexDecodeStrict(trimmed.slice(33));
    if (iv && ct && ct.length > 0 && ct.length % 16 === 0) out.push({ iv, ct });
    return out;
  }
  for (const ct of [hexDecodeStrict(trimmed), base64DecodeStrict(trimmed) ?? base64UrlDecodeStrict(trimmed)]) {
    if (ct && ct.length > 0 && ct.length % 16 === 0) out.push({ iv: fixedIv, ct });
  }
  return out;
}

/**
 * Decrypts a legacy value. Throws `MalformedCiphertextError` when it is neither hex nor base64
 * of whole AES blocks, `DecryptionFailedError` when no reading decrypts to credential text
 * (wrong legacy key/IV, or not a legacy value). Messages never contain the value.
 */
export async function decryptLegacyValue(legacy: LegacyCbc, value: string): Promise<string> {
  if (typeof value !== "string" || value.trim() === "") throw new MalformedCiphertextError("empty legacy value");
  const tries = candidates(value, legacy.iv);
  if (tries.length === 0) {
    throw new MalformedCiphertextError(
      "legacy value is not hex, base64 or <iv hex>:<ciphertext hex> of whole 16-byte AES blocks",
    );
  }
  for (const { iv, ct } of tries) {
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt({ name: "AES-CBC", iv: toArrayBuffer(iv) }, legacy.key, toArrayBuffer(ct));
    } catch {
      continue; // bad padding: wrong reading or wrong key
    }
    const text = utf8DecodeStrict(new Uint8Array(plain));
    if (text !== null && plausibleCredential(text)) return text;
  }
  throw new CredentialDecryptError(
    "authentication_failed",
    "the legacy (AES-256-CBC) value does not decrypt with CREDENTIAL_ENCRYPTION_KEY / CREDENTIAL_IV_KEY: " +
      "wrong legacy key or IV, or not a legacy value",
  );
}

/**
 * Migrates one value into the envelope (active key, bound to `ctx`). Values that already are
 * envelopes are returned unchanged, so a migration can be re-run.
 */
export async function migrateLegacyValue(
  legacy: LegacyCbc,
  keyring: Keyring,
  value: string,
  ctx: EnvelopeContext,
): Promise<string> {
  if (isEnvelope(value)) return value;
  return encryptValue(keyring, await decryptLegacyValue(legacy, value), ctx);
}
