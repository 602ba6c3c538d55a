import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CryptoConfigError } from "../../../functions/_shared/crypto/errors.ts";
import { generateKeyBase64, loadKeyring, parseKeyringConfig } from "../../../functions/_shared/crypto/keyring.ts";
import { KEY_A, KEY_B } from "./helpers.ts";

async function configError(env: Record<string, string | undefined>): Promise<CryptoConfigError> {
  try {
    await loadKeyring(env);
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoConfigError);
    return err as CryptoConfigError;
  }
  throw new Error("expected a configuration error");
}

/** No key material (base64 text, or its hex/raw forms) in the message. */
function expectNoKeyMaterial(err: Error, ...keys: string[]) {
  const text = `${err.message} ${err.stack ?? ""} ${JSON.stringify(err)}`;
  for (const k of keys) {
    expect(text).not.toContain(k);
    expect(text).not.toContain(Buffer.from(k, "base64").toString("hex"));
  }
}

describe("keyring configuration", () => {
  it("loads several keys, active first", async () => {
    const kr = await loadKeyring({ CREDENTIAL_KEYS: JSON.stringify({ old: KEY_A, new: KEY_B }), CREDENTIAL_ACTIVE_KID: "new" });
    expect(kr.activeKid).toBe("new");
    expect(kr.kids).toEqual(["new", "old"]);
    expect(kr.has("old")).toBe(true);
    expect(kr.key("missing")).toBeUndefined();
    expect(kr.key("new")?.extractable).toBe(false);
  });

  it("accepts whitespace around the active kid and base64url keys", async () => {
    const url = Buffer.from(KEY_A, "base64").toString("base64url");
    const kr = await loadKeyring({ CREDENTIAL_KEYS: JSON.stringify({ k1: url }), CREDENTIAL_ACTIVE_KID: " k1\n" });
    expect(kr.activeKid).toBe("k1");
  });

  it("generateKeyBase64 gives a loadable key", async () => {
    const k = generateKeyBase64();
    expect(Buffer.from(k, "base64").length).toBe(32);
    await loadKeyring({ CREDENTIAL_KEYS: JSON.stringify({ g: k }), CREDENTIAL_ACTIVE_KID: "g" });
  });

  it("missing CREDENTIAL_KEYS", async () => {
    const err = await configError({ CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.variable).toBe("CREDENTIAL_KEYS");
    expect(err.message).toMatch(/CREDENTIAL_KEYS is not set/);
  });

  it("malformed JSON: clear error, no key material (even though the JSON holds a key)", async () => {
    const raw = `{"k1": "${KEY_A}",}`;
    const err = await configError({ CREDENTIAL_KEYS: raw, CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.message).toBe("CREDENTIAL_KEYS is not valid JSON: it must be a JSON object of key id → base64 32-byte key");
    expectNoKeyMaterial(err, KEY_A);
  });

  it("JSON that is not an object", async () => {
    for (const raw of ["[]", "null", '"abc"', "42"]) {
      const err = await configError({ CREDENTIAL_KEYS: raw, CREDENTIAL_ACTIVE_KID: "k1" });
      expect(err.message).toMatch(/must be a JSON object/);
    }
  });

  it("an empty key set", async () => {
    const err = await configError({ CREDENTIAL_KEYS: "{}", CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.message).toMatch(/holds no key/);
  });

  it("a short key names the kid and the length, not the key", async () => {
    const short = randomBytes(16).toString("base64");
    const err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ good: KEY_A, "2026-q1": short }), CREDENTIAL_ACTIVE_KID: "good" });
    expect(err.kid).toBe("2026-q1");
    expect(err.message).toBe('CREDENTIAL_KEYS: key "2026-q1" decodes to 16 bytes; AES-256 needs exactly 32');
    expectNoKeyMaterial(err, short, KEY_A);
  });

  it("a long key (e.g. 64 hex characters pasted as base64) is refused", async () => {
    const hex = randomBytes(32).toString("hex");
    const err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ k1: hex }), CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.message).toMatch(/decodes to 48 bytes/);
    expect(err.message).not.toContain(hex);
  });

  it("a key that is not base64, or not a string", async () => {
    const notB64 = "this is not base64!!";
    let err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ k1: notB64 }), CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.message).toBe('CREDENTIAL_KEYS: key "k1" is not valid base64');
    err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ k1: 123 }), CREDENTIAL_ACTIVE_KID: "k1" });
    expect(err.message).toMatch(/key "k1" must be a base64 string of 32 bytes \(got a number\)/);
  });

  it("a kid with the separator ':' is refused", async () => {
    const err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ "a:b": KEY_A }), CREDENTIAL_ACTIVE_KID: "a:b" });
    expect(err.message).toMatch(/key id "a:b" is invalid/);
  });

  it("missing active kid", async () => {
    const err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ k1: KEY_A }) });
    expect(err.variable).toBe("CREDENTIAL_ACTIVE_KID");
    expect(err.message).toMatch(/CREDENTIAL_ACTIVE_KID is not set.*"k1"/);
    expectNoKeyMaterial(err, KEY_A);
  });

  it("active kid not among the keys", async () => {
    const err = await configError({ CREDENTIAL_KEYS: JSON.stringify({ k1: KEY_A }), CREDENTIAL_ACTIVE_KID: "k2" });
    expect(err.kid).toBe("k2");
    expect(err.message).toBe('CREDENTIAL_ACTIVE_KID names key id "k2", which is not in CREDENTIAL_KEYS (configured: "k1")');
  });

  it("parseKeyringConfig validates synchronously (fail fast at start)", () => {
    expect(() => parseKeyringConfig({})).toThrow(CryptoConfigError);
    expect(parseKeyringConfig({ CREDENTIAL_KEYS: JSON.stringify({ k1: KEY_A }), CREDENTIAL_ACTIVE_KID: "k1" }).activeKid).toBe("k1");
  });
});

describe("loadCredentialCrypto", () => {
  it("loads the keyring, and the legacy reader only when its secrets are set", async () => {
    const { loadCredentialCrypto } = await import("../../../functions/_shared/crypto/setup.ts");
    const env = { CREDENTIAL_KEYS: JSON.stringify({ k1: KEY_A }), CREDENTIAL_ACTIVE_KID: "k1" };
    expect((await loadCredentialCrypto(env)).legacy).toBeNull();
    const withLegacy = await loadCredentialCrypto({
      ...env,
      CREDENTIAL_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      CREDENTIAL_IV_KEY: randomBytes(16).toString("hex"),
    });
    expect(withLegacy.legacy?.keyEncoding).toBe("hex");
    await expect(loadCredentialCrypto({ ...env, CREDENTIAL_IV_KEY: "x" })).rejects.toBeInstanceOf(CryptoConfigError);
  });
});
