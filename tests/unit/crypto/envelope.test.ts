import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import {
  decryptValue,
  encryptValue,
  encryptValueWithKid,
  kidOf,
  needsRotation,
  parseEnvelope,
  reencryptValue,
  type EnvelopeContext,
} from "../../../functions/_shared/crypto/envelope.ts";
import {
  CredentialDecryptError,
  DecryptionFailedError,
  MalformedCiphertextError,
  UnknownKeyIdError,
} from "../../../functions/_shared/crypto/errors.ts";
import { decryptCredentialSecrets, encryptCredentialSecrets } from "../../../functions/_shared/crypto/credential-set.ts";
import { expectNoSecrets, flipByte, KEY_A, KEY_B, keyring } from "./helpers.ts";

const USER = "6f1c1c1e-8a4e-4a39-9d6b-1b2f3c4d5e6f";
const OTHER_USER = "0b7a5e2c-1111-4a39-9d6b-aaaaaaaaaaaa";
const ctx: EnvelopeContext = { userId: USER, exchange: "binance", field: "secret_key" };
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

async function expectDecryptError(p: Promise<unknown>, cls: new (...a: never[]) => CredentialDecryptError) {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(cls);
  expectNoSecrets(caught, [SECRET, KEY_A, KEY_B]);
  return caught as CredentialDecryptError;
}

describe("envelope", () => {
  it("round-trips, with the documented format", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    const stored = await encryptValue(kr, SECRET, ctx);
    expect(stored).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(SECRET);
    const parsed = parseEnvelope(stored);
    expect(parsed.iv.length).toBe(12);
    expect(parsed.sealed.length).toBe(SECRET.length + 16);
    expect(await decryptValue(kr, stored, ctx)).toBe(SECRET);
  });

  it("round-trips empty, unicode and PEM-like multi-line text", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    for (const text of ["", "pässwörd 🔑", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----"]) {
      expect(await decryptValue(kr, await encryptValue(kr, text, ctx), ctx)).toBe(text);
    }
  });

  it("uses a fresh IV every time (equal plaintexts give different values)", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    const values = await Promise.all(Array.from({ length: 50 }, () => encryptValue(kr, SECRET, ctx)));
    expect(new Set(values).size).toBe(50);
    expect(new Set(values.map((v) => v.split(":")[2])).size).toBe(50);
  });

  describe("tamper: flipping one byte fails authentication and yields no plaintext", () => {
    const cases: Array<[string, (parts: string[]) => void]> = [
      ["IV first byte", (p) => (p[2] = flipByte(p[2], 0))],
      ["IV last byte", (p) => (p[2] = flipByte(p[2], -1))],
      ["ciphertext first byte", (p) => (p[3] = flipByte(p[3], 0))],
      ["ciphertext middle byte", (p) => (p[3] = flipByte(p[3], 10))],
      ["tag first byte", (p) => (p[3] = flipByte(p[3], -16))],
      ["tag last byte", (p) => (p[3] = flipByte(p[3], -1))],
    ];
    for (const [name, mutate] of cases) {
      it(name, async () => {
        const kr = await keyring({ k1: KEY_A }, "k1");
        const parts = (await encryptValue(kr, SECRET, ctx)).split(":");
        mutate(parts);
        const err = await expectDecryptError(decryptValue(kr, parts.join(":"), ctx), DecryptionFailedError);
        expect(err.code).toBe("authentication_failed");
        expect(err.message).toMatch(/failed authentication/);
      });
    }
    it("truncated tag", async () => {
      const kr = await keyring({ k1: KEY_A }, "k1");
      const parts = (await encryptValue(kr, SECRET, ctx)).split(":");
      parts[3] = Buffer.from(parts[3], "base64url").subarray(0, -1).toString("base64url");
      await expectDecryptError(decryptValue(kr, parts.join(":"), ctx), DecryptionFailedError);
    });
  });

  describe("association: a value copied to another row, user or field fails", () => {
    const others: Array<[string, EnvelopeContext]> = [
      ["another user", { ...ctx, userId: OTHER_USER }],
      ["another exchange", { ...ctx, exchange: "bitget" }],
      ["another field", { ...ctx, field: "api_key" }],
      ["another field (passphrase)", { ...ctx, field: "passphrase" }],
      ["user id / exchange boundary shifted", { ...ctx, userId: `${USER}b`, exchange: "inance" }],
    ];
    for (const [name, other] of others) {
      it(name, async () => {
        const kr = await keyring({ k1: KEY_A }, "k1");
        const stored = await encryptValue(kr, SECRET, ctx);
        await expectDecryptError(decryptValue(kr, stored, other), DecryptionFailedError);
      });
    }
    it("relabelling the kid (same key material under another id) fails", async () => {
      const kr = await keyring({ k1: KEY_A, k2: KEY_A }, "k1");
      const stored = await encryptValue(kr, SECRET, ctx);
      await expectDecryptError(decryptValue(kr, stored.replace(/^v1:k1:/, "v1:k2:"), ctx), DecryptionFailedError);
    });
  });

  describe("key ids", () => {
    it("an unknown kid gives a clear error naming it", async () => {
      const writer = await keyring({ "2025-06": KEY_B }, "2025-06");
      const reader = await keyring({ k1: KEY_A }, "k1");
      const stored = await encryptValue(writer, SECRET, ctx);
      const err = await expectDecryptError(decryptValue(reader, stored, ctx), UnknownKeyIdError);
      expect(err.code).toBe("unknown_kid");
      expect(err.message).toBe('key id "2025-06" is not configured (add it to CREDENTIAL_KEYS to read this value)');
    });
    it("the right kid with the wrong key material fails authentication", async () => {
      const writer = await keyring({ k1: KEY_A }, "k1");
      const reader = await keyring({ k1: KEY_B }, "k1");
      const stored = await encryptValue(writer, SECRET, ctx);
      await expectDecryptError(decryptValue(reader, stored, ctx), DecryptionFailedError);
    });
    it("old keys stay readable; needsRotation tells which values are off the active key", async () => {
      const old = await keyring({ k1: KEY_A }, "k1");
      const both = await keyring({ k1: KEY_A, k2: KEY_B }, "k2");
      const onOld = await encryptValue(old, SECRET, ctx);
      expect(await decryptValue(both, onOld, ctx)).toBe(SECRET);
      expect(needsRotation(both, onOld)).toBe(true);
      expect(needsRotation(old, onOld)).toBe(false);
      const rotated = await reencryptValue(both, onOld, ctx);
      expect(kidOf(rotated)).toBe("k2");
      expect(needsRotation(both, rotated)).toBe(false);
      expect(await decryptValue(both, rotated, ctx)).toBe(SECRET);
      expect(needsRotation(both, null)).toBe(false);
      expect(needsRotation(both, "deadbeef")).toBe(true); // legacy value
    });
    it("encryptValueWithKid refuses an unconfigured kid", async () => {
      const kr = await keyring({ k1: KEY_A }, "k1");
      await expect(encryptValueWithKid(kr, "nope", SECRET, ctx)).rejects.toBeInstanceOf(UnknownKeyIdError);
    });
  });

  describe("malformed values", () => {
    const bad = ["", "plain text", "v1:k1:abc", "v2:k1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA", "v1:k1:AAAA:AAAAAAAAAAAAAAAAAAAAAA", "v1:k1:AAAAAAAAAAAAAAAA:AAAA", "v1:k1:AAAAAAAAAAAAAAAA:****AAAAAAAAAAAAAAAAAA", "v1:k 1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA", "v1:k1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:x"];
    for (const value of bad) {
      it(JSON.stringify(value), async () => {
        const kr = await keyring({ k1: KEY_A }, "k1");
        const err = await expectDecryptError(decryptValue(kr, value, ctx), MalformedCiphertextError);
        expect(err.code).toBe("malformed");
      });
    }
  });

  it("rejects a bad context (programming error) before touching the value", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    await expect(encryptValue(kr, SECRET, { ...ctx, userId: "" })).rejects.toThrow(/userId/);
    await expect(encryptValue(kr, SECRET, { ...ctx, field: "label" as never })).rejects.toThrow(/field/);
  });

  it("encrypts and decrypts a whole credential row (server-side decrypt helper)", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    const owner = { userId: USER, exchange: "bitget" };
    const cols = await encryptCredentialSecrets(kr, owner, { apiKey: "bg_abc123", secretKey: SECRET, passphrase: "pass phrase" });
    expect(Object.values(cols).join(" ")).not.toMatch(/bg_abc123|pass phrase/);
    const row = { user_id: USER, exchange: "bitget", ...cols };
    expect(await decryptCredentialSecrets(kr, row)).toEqual({ apiKey: "bg_abc123", secretKey: SECRET, passphrase: "pass phrase" });
    // Columns swapped between fields are refused.
    await expectDecryptError(
      decryptCredentialSecrets(kr, { ...row, api_key_ct: cols.secret_key_ct, secret_key_ct: cols.api_key_ct }),
      DecryptionFailedError,
    );
    // Another user's row refuses these ciphertexts.
    await expectDecryptError(decryptCredentialSecrets(kr, { ...row, user_id: OTHER_USER }), DecryptionFailedError);
    // A wiped row.
    await expectDecryptError(decryptCredentialSecrets(kr, { ...row, api_key_ct: null }), MalformedCiphertextError);
    // No passphrase stays null.
    const noPass = await encryptCredentialSecrets(kr, owner, { apiKey: "k", secretKey: "s", passphrase: null });
    expect(noPass.passphrase_ct).toBeNull();
  });
});
