import { Buffer } from "node:buffer";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptValue, kidOf } from "../../../functions/_shared/crypto/envelope.ts";
import { CredentialDecryptError, CryptoConfigError, MalformedCiphertextError } from "../../../functions/_shared/crypto/errors.ts";
import {
  decryptLegacyValue,
  loadLegacyCbc,
  migrateLegacyValue,
  readLegacyMaterial,
} from "../../../functions/_shared/crypto/legacy-cbc.ts";
import { expectNoSecrets, KEY_A, keyring } from "./helpers.ts";

/** The old backend, reproduced with Node's own crypto. */
function oldEncrypt(key: Buffer, iv: Buffer, text: string, out: "hex" | "base64"): string {
  const c = createCipheriv("aes-256-cbc", key, iv);
  return c.update(text, "utf8", out) + c.final(out);
}

const KEY = randomBytes(32);
const IV = randomBytes(16);
// Raw-text forms: exactly 32 / 16 ASCII characters.
const KEY_TEXT = "0123456789abcdefghijklmnopqrstuv";
const IV_TEXT = "fedcba9876543210";
const PLAINTEXTS = [
  "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", // 64 chars: two full blocks + padding block
  "bg_1a2b3c4d5e6f", // short
  "0123456789abcdef", // exactly one block
  "pässphrase with spaces",
];

describe("legacy AES-256-CBC import", () => {
  const encodings: Array<{
    name: string;
    env: Record<string, string>;
    key: Buffer;
    iv: Buffer;
    keyEncoding: string;
    ivEncoding: string;
  }> = [
    { name: "hex key, hex iv", env: { CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex") }, key: KEY, iv: IV, keyEncoding: "hex", ivEncoding: "hex" },
    { name: "upper-case hex", env: { CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex").toUpperCase(), CREDENTIAL_IV_KEY: IV.toString("hex").toUpperCase() }, key: KEY, iv: IV, keyEncoding: "hex", ivEncoding: "hex" },
    { name: "base64 key, base64 iv", env: { CREDENTIAL_ENCRYPTION_KEY: KEY.toString("base64"), CREDENTIAL_IV_KEY: IV.toString("base64") }, key: KEY, iv: IV, keyEncoding: "base64", ivEncoding: "base64" },
    { name: "unpadded base64", env: { CREDENTIAL_ENCRYPTION_KEY: KEY.toString("base64").replace(/=+$/, ""), CREDENTIAL_IV_KEY: IV.toString("base64").replace(/=+$/, "") }, key: KEY, iv: IV, keyEncoding: "base64", ivEncoding: "base64" },
    { name: "raw utf-8 key and iv", env: { CREDENTIAL_ENCRYPTION_KEY: KEY_TEXT, CREDENTIAL_IV_KEY: IV_TEXT }, key: Buffer.from(KEY_TEXT, "utf8"), iv: Buffer.from(IV_TEXT, "utf8"), keyEncoding: "utf8", ivEncoding: "utf8" },
    { name: "raw key, hex iv", env: { CREDENTIAL_ENCRYPTION_KEY: KEY_TEXT, CREDENTIAL_IV_KEY: IV.toString("hex") }, key: Buffer.from(KEY_TEXT, "utf8"), iv: IV, keyEncoding: "utf8", ivEncoding: "hex" },
  ];

  for (const enc of encodings) {
    for (const out of ["hex", "base64"] as const) {
      it(`${enc.name}, ${out} ciphertext → decrypts, re-encrypts into the envelope, readable`, async () => {
        const legacy = await loadLegacyCbc(enc.env);
        expect(legacy).not.toBeNull();
        expect(legacy!.keyEncoding).toBe(enc.keyEncoding);
        expect(legacy!.ivEncoding).toBe(enc.ivEncoding);
        const kr = await keyring({ k1: KEY_A }, "k1");
        for (const text of PLAINTEXTS) {
          const old = oldEncrypt(enc.key, enc.iv, text, out);
          expect(await decryptLegacyValue(legacy!, old)).toBe(text);
          const ctx = { userId: "u1", exchange: "binance", field: "api_key" as const };
          const migrated = await migrateLegacyValue(legacy!, kr, old, ctx);
          expect(kidOf(migrated)).toBe("k1");
          expect(migrated).not.toContain(text);
          expect(await decryptValue(kr, migrated, ctx)).toBe(text);
          // Idempotent: an envelope is returned unchanged.
          expect(await migrateLegacyValue(legacy!, kr, migrated, ctx)).toBe(migrated);
        }
      });
    }
  }

  it("shows the fixed-IV weakness it migrates away from: equal plaintexts give equal legacy ciphertext", async () => {
    const a = oldEncrypt(KEY, IV, "same-secret-value", "hex");
    const b = oldEncrypt(KEY, IV, "same-secret-value", "hex");
    expect(a).toBe(b);
    const legacy = (await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex") }))!;
    const kr = await keyring({ k1: KEY_A }, "k1");
    const ctx = { userId: "u1", exchange: "binance", field: "secret_key" as const };
    expect(await migrateLegacyValue(legacy, kr, a, ctx)).not.toBe(await migrateLegacyValue(legacy, kr, b, ctx));
  });

  it("accepts <iv hex>:<ciphertext hex> values with a per-value IV", async () => {
    const legacy = (await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex") }))!;
    const ownIv = randomBytes(16);
    const value = `${ownIv.toString("hex")}:${oldEncrypt(KEY, ownIv, "per-value-iv-secret", "hex")}`;
    expect(await decryptLegacyValue(legacy, value)).toBe("per-value-iv-secret");
  });

  it("sha256 key derivation only when asked for", async () => {
    const passphrase = "an arbitrary passphrase of any length";
    const derived = createHash("sha256").update(passphrase).digest();
    const old = oldEncrypt(derived, IV, "derived-key-secret", "base64");
    await expect(loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: passphrase, CREDENTIAL_IV_KEY: IV.toString("hex") })).rejects.toBeInstanceOf(CryptoConfigError);
    const legacy = (await loadLegacyCbc({
      CREDENTIAL_ENCRYPTION_KEY: passphrase,
      CREDENTIAL_IV_KEY: IV.toString("hex"),
      CREDENTIAL_ENCRYPTION_KEY_ENCODING: "sha256",
    }))!;
    expect(legacy.keyEncoding).toBe("sha256");
    expect(await decryptLegacyValue(legacy, old)).toBe("derived-key-secret");
  });

  it("a forced encoding overrides the guess", () => {
    // 32 hex characters read as raw text is a 32-byte key.
    const text = KEY.toString("hex").slice(0, 32);
    expect(readLegacyMaterial("CREDENTIAL_ENCRYPTION_KEY", text, 32).encoding).toBe("utf8");
    expect(() => readLegacyMaterial("CREDENTIAL_ENCRYPTION_KEY", text, 32, "hex")).toThrow(/gives 16 bytes; it must give exactly 32/);
  });

  it("no legacy variables → null (nothing to migrate); only one → error", async () => {
    expect(await loadLegacyCbc({})).toBeNull();
    await expect(loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex") })).rejects.toThrow(/CREDENTIAL_IV_KEY is not/);
    await expect(loadLegacyCbc({ CREDENTIAL_IV_KEY: IV.toString("hex") })).rejects.toThrow(/CREDENTIAL_ENCRYPTION_KEY is not/);
  });

  it("a key of the wrong length is a configuration error without the value", async () => {
    const short = randomBytes(24).toString("hex");
    try {
      await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: short, CREDENTIAL_IV_KEY: IV.toString("hex") });
      throw new Error("expected an error");
    } catch (err) {
      expect(err).toBeInstanceOf(CryptoConfigError);
      expect((err as Error).message).toMatch(/CREDENTIAL_ENCRYPTION_KEY \(48 characters\) is not 32 bytes/);
      expectNoSecrets(err, [short]);
    }
    await expect(loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: "short" })).rejects.toThrow(
      /CREDENTIAL_IV_KEY \(5 characters\) is not 16 bytes/,
    );
    await expect(
      loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex"), CREDENTIAL_IV_KEY_ENCODING: "latin1" }),
    ).rejects.toThrow(/CREDENTIAL_IV_KEY_ENCODING must be one of hex, base64, utf8/);
  });

  it("the wrong legacy key fails clearly, without plaintext", async () => {
    const old = oldEncrypt(KEY, IV, "the-real-secret-value", "hex");
    const wrong = (await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: randomBytes(32).toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex") }))!;
    try {
      await decryptLegacyValue(wrong, old);
      throw new Error("expected an error");
    } catch (err) {
      expect(err).toBeInstanceOf(CredentialDecryptError);
      expect((err as CredentialDecryptError).code).toBe("authentication_failed");
      expectNoSecrets(err, ["the-real-secret-value", old]);
    }
  });

  it("values that are not hex/base64 whole blocks are malformed", async () => {
    const legacy = (await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: KEY.toString("hex"), CREDENTIAL_IV_KEY: IV.toString("hex") }))!;
    for (const v of ["", "not*base64", "abcd", "00".repeat(15)]) {
      await expect(decryptLegacyValue(legacy, v)).rejects.toBeInstanceOf(MalformedCiphertextError);
    }
  });
});
