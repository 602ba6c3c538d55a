import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  parsePatchBody,
  parseSaveBody,
  saveCredentialsSchema,
  toInvalidRequest,
} from "../../../functions/_shared/credentials/schemas.ts";

const API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const PASS = "MyBitgetPass123";

function bad(result: ReturnType<typeof parseSaveBody> | ReturnType<typeof parsePatchBody>) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("unreachable");
  // Never echo a submitted secret.
  const text = JSON.stringify(result.error);
  for (const s of [API_KEY, SECRET, PASS]) expect(text).not.toContain(s);
  expect(result.error.code).toBe("invalid_request");
  return result.error;
}

describe("save body", () => {
  it("accepts the spec frontend's ExchangeCredentials, verify defaults to true", () => {
    const r = parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET, label: "Main Binance Account" });
    expect(r).toEqual({
      ok: true,
      data: { exchange: "binance", apiKey: API_KEY, secretKey: SECRET, passphrase: null, label: "Main Binance Account", verify: true },
    });
  });

  it("trims pasted keys, empty label → null, verify false kept", () => {
    const r = parseSaveBody({ exchange: "mexc", apiKey: ` ${API_KEY}\n`, secretKey: `${SECRET} `, label: "  ", verify: false, passphrase: "" });
    expect(r).toMatchObject({ ok: true, data: { apiKey: API_KEY, secretKey: SECRET, label: null, verify: false, passphrase: null } });
  });

  it("bitget needs its passphrase: the error names the field", () => {
    const e = bad(parseSaveBody({ exchange: "bitget", apiKey: API_KEY, secretKey: SECRET }));
    expect(e.details).toEqual([
      { path: "passphrase", message: "passphrase is required for bitget: it is the passphrase you chose when you created the API key on Bitget" },
    ]);
    expect(e.message).toBe("Passphrase is required for bitget: it is the passphrase you chose when you created the API key on Bitget");
    expect(parseSaveBody({ exchange: "bitget", apiKey: API_KEY, secretKey: SECRET, passphrase: PASS })).toMatchObject({
      ok: true,
      data: { passphrase: PASS },
    });
  });

  it("a passphrase for an exchange without one is refused", () => {
    const e = bad(parseSaveBody({ exchange: "gateio", apiKey: API_KEY, secretKey: SECRET, passphrase: PASS }));
    expect(e.details).toEqual([{ path: "passphrase", message: "passphrase is not used by gateio API keys: remove it" }]);
  });

  it("unknown fields are named, with a hint", () => {
    const e = bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secret_key: SECRET, foo: 1 }));
    expect(e.details).toContainEqual({
      path: "secret_key",
      message: 'unknown field "secret_key": did you mean "secretKey"? (allowed fields: exchange, apiKey, secretKey, passphrase, label, verify)',
    });
    expect(e.details).toContainEqual({
      path: "foo",
      message: 'unknown field "foo" (allowed fields: exchange, apiKey, secretKey, passphrase, label, verify)',
    });
    expect(e.details).toContainEqual({ path: "secretKey", message: "secretKey is required" });
    expect(e.message).toMatch(/^The request body has 3 problems: /);
  });

  it("isActive / id from the frontend interface are explained", () => {
    const e = bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET, isActive: true, id: "x" }));
    expect(e.details.map((d) => d.message)).toEqual([
      'unknown field "isActive": new credentials are always active; change it later with PATCH (allowed fields: exchange, apiKey, secretKey, passphrase, label, verify)',
      'unknown field "id": the credential\'s owner and id come from your session and the URL, not the body (allowed fields: exchange, apiKey, secretKey, passphrase, label, verify)',
    ]);
  });

  it("exchange: missing, unsupported, alias, wrong type", () => {
    expect(bad(parseSaveBody({ apiKey: API_KEY, secretKey: SECRET })).details).toContainEqual({
      path: "exchange",
      message: "exchange is required: one of binance, bitget, gateio, mexc, alpha_vantage",
    });
    expect(bad(parseSaveBody({ exchange: "kraken", apiKey: API_KEY, secretKey: SECRET })).details[0].message).toBe(
      'exchange is not supported: use one of binance, bitget, gateio, mexc, alpha_vantage',
    );
    expect(bad(parseSaveBody({ exchange: "gate", apiKey: API_KEY, secretKey: SECRET })).details[0].message).toBe(
      'exchange: use "gateio" (the spelling this API expects)',
    );
    expect(bad(parseSaveBody({ exchange: 3, apiKey: API_KEY, secretKey: SECRET })).details[0].message).toMatch(/got a number/);
  });

  it("keys: missing, empty, wrong type, spaces, too long — messages never quote them", () => {
    expect(bad(parseSaveBody({ exchange: "binance", secretKey: SECRET })).details).toEqual([{ path: "apiKey", message: "apiKey is required" }]);
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: "   ", secretKey: SECRET })).details[0].message).toBe("apiKey is empty");
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: 12345, secretKey: SECRET })).details[0].message).toBe("apiKey must be text (got a number)");
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: `${API_KEY.slice(0, 20)} ${API_KEY.slice(20)}`, secretKey: SECRET })).details[0].message).toBe(
      "apiKey must not contain spaces or line breaks: check the copy/paste",
    );
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY.repeat(5), secretKey: SECRET })).details[0].message).toMatch(/longer than 256/);
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET.repeat(200) })).details[0].message).toMatch(/secretKey is longer than 8192/);
  });

  it("a PEM secret (Binance Ed25519/RSA keys) is accepted with its line breaks", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----";
    expect(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: pem })).toMatchObject({ ok: true, data: { secretKey: pem } });
  });

  it("label longer than 100 characters", () => {
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET, label: "x".repeat(101) })).details).toEqual([
      { path: "label", message: "label is longer than 100 characters" },
    ]);
    expect(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET, label: "x".repeat(100) }).ok).toBe(true);
  });

  it("verify must be a boolean", () => {
    expect(bad(parseSaveBody({ exchange: "binance", apiKey: API_KEY, secretKey: SECRET, verify: "yes" })).details).toEqual([
      { path: "verify", message: "verify must be true or false (got a string)" },
    ]);
  });

  it("alpha_vantage: stored without verification, no secret needed; verify:true refused", () => {
    expect(parseSaveBody({ exchange: "alpha_vantage", apiKey: "DEMOKEY1234567" })).toEqual({
      ok: true,
      data: { exchange: "alpha_vantage", apiKey: "DEMOKEY1234567", secretKey: null, passphrase: null, label: null, verify: false },
    });
    expect(bad(parseSaveBody({ exchange: "alpha_vantage", apiKey: "DEMOKEY1234567", verify: true })).details[0].path).toBe("verify");
  });

  it("a body that is not an object", () => {
    for (const body of [null, [], "text", 42]) {
      const e = bad(parseSaveBody(body));
      expect(e.details[0].path).toBe("");
      expect(e.message).toMatch(/^The request body must be a JSON object \(got /);
    }
  });

  it("toInvalidRequest works on any ZodError (nested paths are dotted)", () => {
    const r = z.object({ a: z.object({ b: z.string() }) }).safeParse({ a: { b: 1 } });
    expect(toInvalidRequest(r.error!).details[0].path).toBe("a.b");
    expect(saveCredentialsSchema.safeParse({}).success).toBe(false);
  });
});

describe("patch body", () => {
  it("label and isActive (alias is_active)", () => {
    expect(parsePatchBody({ label: "New name" }, "binance")).toEqual({ ok: true, data: { label: "New name", verify: false } });
    expect(parsePatchBody({ isActive: false }, "binance")).toEqual({ ok: true, data: { isActive: false, verify: false } });
    expect(parsePatchBody({ is_active: true, label: null }, "binance")).toEqual({ ok: true, data: { isActive: true, label: null, verify: false } });
    expect(bad(parsePatchBody({ isActive: true, is_active: false }, "binance")).details[0].path).toBe("is_active");
  });

  it("a new secret set: apiKey + secretKey together, re-verified by default", () => {
    expect(parsePatchBody({ apiKey: API_KEY, secretKey: SECRET }, "mexc")).toEqual({
      ok: true,
      data: { secrets: { apiKey: API_KEY, secretKey: SECRET, passphrase: null }, verify: true },
    });
    expect(bad(parsePatchBody({ secretKey: SECRET }, "mexc")).details).toEqual([{ path: "apiKey", message: "apiKey is required" }]);
    expect(bad(parsePatchBody({ apiKey: API_KEY }, "mexc")).details).toEqual([{ path: "secretKey", message: "secretKey is required" }]);
  });

  it("bitget: the passphrase comes with the new set", () => {
    expect(bad(parsePatchBody({ apiKey: API_KEY, secretKey: SECRET }, "bitget")).details[0].path).toBe("passphrase");
    expect(parsePatchBody({ apiKey: API_KEY, secretKey: SECRET, passphrase: PASS, verify: false }, "bitget")).toMatchObject({
      ok: true,
      data: { secrets: { passphrase: PASS }, verify: false },
    });
  });

  it("empty patch, verify without a new key, unknown fields", () => {
    expect(bad(parsePatchBody({}, "binance")).message).toBe("Nothing to change: send label, isActive, syncSymbols, or a new apiKey and secretKey");
    expect(bad(parsePatchBody({ verify: true, label: "x" }, "binance")).details[0].message).toMatch(/use POST …\/verify/);
    expect(bad(parsePatchBody({ exchange: "bitget", label: "x" }, "binance")).details[0].message).toMatch(/^unknown field "exchange"/);
  });
});
