import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ExchangeId } from "../../../functions/_shared/domain/types.ts";
import {
  bitgetPermissionsFromAuthorities,
  classifyExchangeError,
  verifyExchangeKey,
  verifyOptionsFromEnv,
  type VerifyFailure,
  type VerifyResult,
} from "../../../functions/_shared/credentials/verify.ts";
import { handwritten, markets, recorded } from "./fixtures.ts";

// Distinctive fake credentials: none of them may ever show up in a result.
const KEYS: Record<ExchangeId, { apiKey: string; secretKey: string; passphrase?: string }> = {
  binance: { apiKey: "BNBkeyQz7cZ1x9Lr0aT4pW2mN8vK3jH5gF6dS1aQ0wE9rT8yU7iO6pL5kJ4hG3fD", secretKey: "BNBsecretX1c2V3b4N5m6Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4L5z6X7c8" },
  bitget: { apiKey: "bg_0f1e2d3c4b5a69788796a5b4c3d2e1f0", secretKey: "bgsecret9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1", passphrase: "MyBitgetPass123" },
  gateio: { apiKey: "gatekey1b2c3d4e5f60718293a4b5c6d7e8f9", secretKey: "gatesecret0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d" },
  mexc: { apiKey: "mx0vglKEYa1b2c3d4e5f6g7h8i9j0", secretKey: "mexcsecret1a2b3c4d5e6f7a8b9c0d1e2f3a4b5" },
};
const CCXT_IDS: Record<ExchangeId, string> = { binance: "binance", bitget: "bitget", gateio: "gate", mexc: "mexc" };

const server = setupServer();
const seen: Array<{ method: string; url: URL; headers: Headers }> = [];
server.events.on("request:start", ({ request }) => {
  seen.push({ method: request.method, url: new URL(request.url), headers: request.headers });
});
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

const BN = handwritten("binance");
const BG = handwritten("bitget");
const GT = handwritten("gate");
const MX = handwritten("mexc");

const URLS = {
  binanceAccount: "https://api.binance.com/api/v3/account",
  binanceRestrictions: "https://api.binance.com/sapi/v1/account/apiRestrictions",
  bitgetAssets: "https://api.bitget.com/api/v2/spot/account/assets",
  bitgetInfo: "https://api.bitget.com/api/v2/spot/account/info",
  gateAccounts: "https://api.gateio.ws/api/v4/spot/accounts",
  gateDetail: "https://api.gateio.ws/api/v4/account/detail",
  gateMainKeys: "https://api.gateio.ws/api/v4/account/main_keys",
  mexcAccount: "https://api.mexc.com/api/v3/account",
};

function reply(spec: { status: number; body: unknown; contentType?: string }) {
  return () =>
    typeof spec.body === "string"
      ? new HttpResponse(spec.body, { status: spec.status, headers: { "content-type": spec.contentType ?? "text/plain" } })
      : HttpResponse.json(spec.body as Record<string, unknown>, { status: spec.status });
}

const withKey = (v: unknown, apiKey: string) => JSON.parse(JSON.stringify(v).replaceAll("API_KEY", apiKey));

function verify(exchange: ExchangeId, opts: { allowWithdrawKeys?: boolean } = {}): Promise<VerifyResult> {
  return verifyExchangeKey(exchange, KEYS[exchange], {
    enableRateLimit: false,
    markets: markets(CCXT_IDS[exchange]),
    now: () => new Date("2026-11-25T09:00:00Z"),
    ...opts,
  });
}

/** No secret anywhere in the result (nor in its message). */
function expectClean(result: VerifyResult, exchange: ExchangeId) {
  const text = JSON.stringify(result);
  for (const s of Object.values(KEYS[exchange])) expect(text).not.toContain(s);
}

function expectFailure(result: VerifyResult, status: VerifyFailure["status"]): VerifyFailure {
  expect(result.ok).toBe(false);
  expect(result.status).toBe(status);
  return result as VerifyFailure;
}

const binanceBalance = recorded("binance", "fetchBalance", "Spot balance");
const bitgetBalance = recorded("bitget", "fetchBalance", "spot balance");

describe("verifyExchangeKey — Binance", () => {
  it("read-only key → verified, permissions from apiRestrictions", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, () => HttpResponse.json(BN.apiRestrictions.readOnly)),
    );
    const r = await verify("binance");
    expectClean(r, "binance");
    expect(r).toMatchObject({
      ok: true,
      status: "verified",
      exchange: "binance",
      verifiedAt: "2026-11-25T09:00:00.000Z",
      permissions: { read: true, spotTrade: false, futuresTrade: false, withdraw: false, ipRestricted: true },
    });
    if (!r.ok) throw new Error("unreachable");
    expect(r.summary.checks).toEqual(["fetchBalance", "apiRestrictions"]);
    expect(r.summary.permissionsSource).toBe("exchange");
    expect(r.summary.assetsWithBalance).toBe(2); // LTC and ETH
    expect(r.summary.details.enableWithdrawals).toBe(false);
    // Signed with the key in the header, never in the URL.
    const account = seen.find((s) => s.url.pathname === "/api/v3/account")!;
    expect(account.headers.get("x-mbx-apikey")).toBe(KEYS.binance.apiKey);
    expect(account.url.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(account.url.toString()).not.toContain(KEYS.binance.apiKey);
  });

  it("trade-only key → verified with trading permissions", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, () => HttpResponse.json(BN.apiRestrictions.tradeOnly)),
    );
    const r = await verify("binance");
    expect(r).toMatchObject({ ok: true, permissions: { spotTrade: true, futuresTrade: true, withdraw: false, ipRestricted: false } });
  });

  it("key with withdrawals enabled → withdraw_enabled (422) with how to fix it; allowed by the server setting", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, () => HttpResponse.json(BN.apiRestrictions.withdrawEnabled)),
    );
    const f = expectFailure(await verify("binance"), "withdraw_enabled");
    expectClean(f, "binance");
    expect(f.httpStatus).toBe(422);
    expect(f.permissions?.withdraw).toBe(true);
    expect(f.message).toMatch(/^This Binance API key has withdrawal permission, so it was not saved\./);
    expect(f.message).toMatch(/untick “Enable Withdrawals”/);
    const allowed = await verify("binance", { allowWithdrawKeys: true });
    expect(allowed).toMatchObject({ ok: true, permissions: { withdraw: true } });
  });

  it("-2015 (401) → invalid_key with the exchange's reason", async () => {
    server.use(http.get(URLS.binanceAccount, reply(BN.errors.invalidKey)));
    const f = expectFailure(await verify("binance"), "invalid_key");
    expectClean(f, "binance");
    expect(f.httpStatus).toBe(422);
    expect(f.exchangeReason).toBe("Invalid API-key, IP, or permissions for action. (code -2015)");
    expect(f.message).toMatch(/^Binance rejected this API key: “Invalid API-key, IP, or permissions for action\. \(code -2015\)”\. Check/);
    expect(f.errorClass).toBe("AuthenticationError");
  });

  it("503 HTML → exchange_unavailable (503)", async () => {
    server.use(http.get(URLS.binanceAccount, reply(BN.errors.unavailable)));
    const f = expectFailure(await verify("binance"), "exchange_unavailable");
    expect(f.httpStatus).toBe(503);
    expect(f.exchangeReason).toMatch(/HTTP 503/);
    expect(f.message).toMatch(/^Binance could not be reached to check this key/);
  });

  it("connection failure → exchange_unavailable", async () => {
    server.use(http.get(URLS.binanceAccount, () => HttpResponse.error()));
    const f = expectFailure(await verify("binance"), "exchange_unavailable");
    expect(f.errorClass).toBe("NetworkError");
    expect(f.exchangeReason).toBe("the connection to the exchange failed");
  });

  it("429 -1003 (DDoSProtection) and -1021 (InvalidNonce) → exchange_unavailable", async () => {
    server.use(http.get(URLS.binanceAccount, () => HttpResponse.json({ code: -1003, msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE." }, { status: 429 })));
    let f = expectFailure(await verify("binance"), "exchange_unavailable");
    expect(f.exchangeReason).toMatch(/^Too many requests/);
    server.resetHandlers(
      http.get(URLS.binanceAccount, () => HttpResponse.json({ code: -1021, msg: "Timestamp for this request is outside of the recvWindow." }, { status: 400 })),
    );
    f = expectFailure(await verify("binance"), "exchange_unavailable");
    expect(f.errorClass).toBe("InvalidNonce");
    expect(f.message).toMatch(/refused the request's timestamp/);
  });

  it("balance fine but the permission check unreachable → exchange_unavailable (the withdrawal check is not skipped)", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, reply(BN.errors.unavailable)),
    );
    expectFailure(await verify("binance"), "exchange_unavailable");
  });

  it("permission endpoint refused (e.g. sub-account key) → verified, permissions unknown", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, () => HttpResponse.json({ code: -1002, msg: "You are not authorized to execute this request." }, { status: 401 })),
    );
    const r = await verify("binance");
    expect(r).toMatchObject({ ok: true, permissions: { read: true, withdraw: null, spotTrade: null } });
    if (r.ok) expect(r.summary.permissionsSource).toBe("unavailable");
  });

  it("an exchange message that echoes the key is scrubbed", async () => {
    server.use(
      http.get(URLS.binanceAccount, () =>
        HttpResponse.json({ code: -2014, msg: `API-key format invalid: ${KEYS.binance.apiKey}` }, { status: 401 }),
      ),
    );
    const f = expectFailure(await verify("binance"), "invalid_key");
    expectClean(f, "binance");
    expect(f.exchangeReason).toBe("API-key format invalid: [redacted] (code -2014)");
  });
});

describe("verifyExchangeKey — Bitget", () => {
  it("read-only key → verified, permissions from authorities", async () => {
    server.use(
      http.get(URLS.bitgetAssets, () => HttpResponse.json(bitgetBalance)),
      http.get(URLS.bitgetInfo, () => HttpResponse.json(BG.accountInfo.readOnly)),
    );
    const r = await verify("bitget");
    expectClean(r, "bitget");
    expect(r).toMatchObject({
      ok: true,
      permissions: { read: true, spotTrade: false, futuresTrade: false, withdraw: false, ipRestricted: true },
    });
    if (r.ok) {
      expect(r.summary.checks).toEqual(["fetchBalance", "accountInfo"]);
      expect(r.summary.details.authorities).toEqual(["coor", "cpor", "stor", "wtor", "taxr"]);
      expect(r.summary.assetsWithBalance).toBe(5);
    }
    const req = seen.find((s) => s.url.pathname === "/api/v2/spot/account/assets")!;
    expect(req.headers.get("access-key")).toBe(KEYS.bitget.apiKey);
    expect(req.headers.get("access-passphrase")).toBe(KEYS.bitget.passphrase);
  });

  it("trade-only key → verified", async () => {
    server.use(
      http.get(URLS.bitgetAssets, () => HttpResponse.json(bitgetBalance)),
      http.get(URLS.bitgetInfo, () => HttpResponse.json(BG.accountInfo.tradeOnly)),
    );
    expect(await verify("bitget")).toMatchObject({
      ok: true,
      permissions: { spotTrade: true, futuresTrade: true, withdraw: false, ipRestricted: false },
    });
  });

  it("key with withdraw (wwow) → withdraw_enabled", async () => {
    server.use(
      http.get(URLS.bitgetAssets, () => HttpResponse.json(bitgetBalance)),
      http.get(URLS.bitgetInfo, () => HttpResponse.json(BG.accountInfo.withdrawEnabled)),
    );
    const f = expectFailure(await verify("bitget"), "withdraw_enabled");
    expectClean(f, "bitget");
    expect(f.message).toMatch(/Bitget API key has withdrawal permission/);
    expect(f.message).toMatch(/leave “Withdraw” unticked/);
  });

  it("40006 → invalid_key with the reason", async () => {
    server.use(http.get(URLS.bitgetAssets, reply(BG.errors.invalidKey)));
    const f = expectFailure(await verify("bitget"), "invalid_key");
    expectClean(f, "bitget");
    expect(f.exchangeReason).toBe("Invalid ACCESS_KEY (code 40006)");
    expect(f.message).toMatch(/Bitget rejected this API key: “Invalid ACCESS_KEY \(code 40006\)”.*secret and passphrase/);
  });

  it("503 → exchange_unavailable", async () => {
    server.use(http.get(URLS.bitgetAssets, reply(BG.errors.unavailable)));
    expectFailure(await verify("bitget"), "exchange_unavailable");
  });

  it("legacy authority names are understood", () => {
    expect(bitgetPermissionsFromAuthorities(["readonly"], "")).toMatchObject({ spotTrade: false, withdraw: false, ipRestricted: false });
    expect(bitgetPermissionsFromAuthorities(["trade", "readonly"], "1.2.3.4")).toMatchObject({ spotTrade: true, futuresTrade: true, withdraw: false, ipRestricted: true });
    expect(bitgetPermissionsFromAuthorities(["trade", "withdraw"], "")).toMatchObject({ withdraw: true });
  });
});

describe("verifyExchangeKey — Gate", () => {
  it("read-only key → verified, permissions from main_keys, ip whitelist from account detail", async () => {
    const key = KEYS.gateio.apiKey;
    server.use(
      http.get(URLS.gateAccounts, () => HttpResponse.json(GT.spotAccounts)),
      http.get(URLS.gateDetail, () => HttpResponse.json(GT.accountDetail)),
      http.get(URLS.gateMainKeys, () => HttpResponse.json(withKey(GT.mainKeys.readOnly, key))),
    );
    const r = await verify("gateio");
    expect(r).toMatchObject({
      ok: true,
      exchange: "gateio",
      permissions: { read: true, spotTrade: false, futuresTrade: false, withdraw: false, ipRestricted: true },
    });
    if (r.ok) {
      expect(r.summary.checks).toEqual(["fetchBalance", "accountDetail", "mainKeys"]);
      expect(r.summary.details.keyMode).toBe("classic");
      expect(r.summary.details.perms).toEqual(["spot:read", "futures:read", "wallet:read", "account:read"]);
      expect(r.summary.assetsWithBalance).toBe(3);
    }
    expectClean(r, "gateio");
    expect(seen.find((s) => s.url.pathname === "/api/v4/spot/accounts")!.headers.get("key")).toBe(key);
  });

  it("key with write access to the wallet → withdraw_enabled", async () => {
    server.use(
      http.get(URLS.gateAccounts, () => HttpResponse.json(GT.spotAccounts)),
      http.get(URLS.gateDetail, () => HttpResponse.json({ ...GT.accountDetail, ip_whitelist: [] })),
      http.get(URLS.gateMainKeys, () => HttpResponse.json(withKey(GT.mainKeys.withdrawEnabled, KEYS.gateio.apiKey))),
    );
    const f = expectFailure(await verify("gateio"), "withdraw_enabled");
    expectClean(f, "gateio");
    expect(f.permissions).toMatchObject({ spotTrade: true, futuresTrade: true, withdraw: true, ipRestricted: false });
    expect(f.message).toMatch(/On Gate: API Management/);
  });

  it("main_keys refused (sub-account key) → verified with withdraw unknown", async () => {
    server.use(
      http.get(URLS.gateAccounts, () => HttpResponse.json(GT.spotAccounts)),
      http.get(URLS.gateDetail, () => HttpResponse.json(GT.accountDetail)),
      http.get(URLS.gateMainKeys, reply(GT.errors.forbidden)),
    );
    expect(await verify("gateio")).toMatchObject({ ok: true, permissions: { withdraw: null, ipRestricted: true } });
  });

  it("INVALID_KEY → invalid_key with the reason", async () => {
    server.use(http.get(URLS.gateAccounts, reply(GT.errors.invalidKey)));
    const f = expectFailure(await verify("gateio"), "invalid_key");
    expectClean(f, "gateio");
    expect(f.exchangeReason).toBe("Invalid key provided (code INVALID_KEY)");
    expect(f.message).toMatch(/^Gate rejected this API key/);
  });

  it("503 and connection failure → exchange_unavailable", async () => {
    server.use(http.get(URLS.gateAccounts, reply(GT.errors.unavailable)));
    expectFailure(await verify("gateio"), "exchange_unavailable");
    server.resetHandlers(http.get(URLS.gateAccounts, () => HttpResponse.error()));
    expectFailure(await verify("gateio"), "exchange_unavailable");
  });
});

describe("verifyExchangeKey — MEXC", () => {
  it("valid key → verified; MEXC does not tell the key's permissions", async () => {
    server.use(http.get(URLS.mexcAccount, () => HttpResponse.json(MX.account)));
    const r = await verify("mexc");
    expectClean(r, "mexc");
    expect(r).toMatchObject({
      ok: true,
      permissions: { read: true, spotTrade: null, futuresTrade: null, withdraw: null, ipRestricted: null },
    });
    if (r.ok) {
      expect(r.summary.permissionsSource).toBe("unavailable");
      expect(r.summary.details).toMatchObject({ account_canWithdraw: true, accountType: "SPOT" });
      expect(r.summary.assetsWithBalance).toBe(3);
    }
    expect(seen[0].headers.get("x-mexc-apikey")).toBe(KEYS.mexc.apiKey);
  });

  it("700002 (bad signature/secret) → invalid_key", async () => {
    server.use(http.get(URLS.mexcAccount, reply(MX.errors.badSignature)));
    const f = expectFailure(await verify("mexc"), "invalid_key");
    expectClean(f, "mexc");
    expect(f.exchangeReason).toBe("Signature for this request is not valid. (code 700002)");
  });

  it("10072 (arrives as ccxt BadRequest) → invalid_key", async () => {
    server.use(http.get(URLS.mexcAccount, reply(MX.errors.apiKeyInfoInvalid)));
    const f = expectFailure(await verify("mexc"), "invalid_key");
    expect(f.errorClass).toBe("BadRequest");
    expect(f.exchangeReason).toBe("Api key info invalid (code 10072)");
    expect(f.message).toMatch(/^MEXC rejected this API key: “Api key info invalid \(code 10072\)”/);
  });

  it("503 → exchange_unavailable", async () => {
    server.use(http.get(URLS.mexcAccount, reply(MX.errors.unavailable)));
    expectFailure(await verify("mexc"), "exchange_unavailable");
  });

  it("rate limited (429) → exchange_unavailable (retrying is the caller's business)", async () => {
    server.use(http.get(URLS.mexcAccount, () => HttpResponse.json({ code: 429, msg: "Too Many Requests" }, { status: 429 })));
    expectFailure(await verify("mexc"), "exchange_unavailable");
  });
});

describe("without market data", () => {
  it("each exchange verifies with no market download (only the private calls are made)", async () => {
    server.use(
      http.get(URLS.binanceAccount, () => HttpResponse.json(binanceBalance)),
      http.get(URLS.binanceRestrictions, () => HttpResponse.json(BN.apiRestrictions.readOnly)),
      http.get(URLS.bitgetAssets, () => HttpResponse.json(bitgetBalance)),
      http.get(URLS.bitgetInfo, () => HttpResponse.json(BG.accountInfo.readOnly)),
      http.get(URLS.gateAccounts, () => HttpResponse.json(GT.spotAccounts)),
      http.get(URLS.gateDetail, () => HttpResponse.json(GT.accountDetail)),
      http.get(URLS.gateMainKeys, () => HttpResponse.json(withKey(GT.mainKeys.readOnly, KEYS.gateio.apiKey))),
      http.get(URLS.mexcAccount, () => HttpResponse.json(MX.account)),
    );
    for (const exchange of ["binance", "bitget", "gateio", "mexc"] as const) {
      const r = await verifyExchangeKey(exchange, KEYS[exchange], { enableRateLimit: false });
      expect(r.status).toBe("verified");
      expectClean(r, exchange);
    }
    expect(seen.map((s) => s.url.pathname)).toEqual([
      "/api/v3/account",
      "/sapi/v1/account/apiRestrictions",
      "/api/v2/spot/account/assets",
      "/api/v2/spot/account/info",
      "/api/v4/spot/accounts",
      "/api/v4/account/detail",
      "/api/v4/account/main_keys",
      "/api/v3/account",
    ]);
  });
});

describe("classifyExchangeError", () => {
  it("unknown errors → exchange_error (502) without leaking the message's secrets", () => {
    const f = classifyExchangeError("binance", new Error(`boom ${KEYS.binance.secretKey}`), KEYS.binance);
    expect(f).toMatchObject({ status: "exchange_error", httpStatus: 502, exchangeReason: null });
    expect(JSON.stringify(f)).not.toContain(KEYS.binance.secretKey);
  });
});

describe("verifyOptionsFromEnv", () => {
  it("reads the server settings strictly", () => {
    expect(verifyOptionsFromEnv({})).toEqual({ allowWithdrawKeys: false });
    expect(verifyOptionsFromEnv({ CREDENTIAL_ALLOW_WITHDRAW_KEYS: "true", EXCHANGE_TIMEOUT_MS: "8000" })).toEqual({ allowWithdrawKeys: true, timeoutMs: 8000 });
    expect(() => verifyOptionsFromEnv({ CREDENTIAL_ALLOW_WITHDRAW_KEYS: "maybe" })).toThrow(/CREDENTIAL_ALLOW_WITHDRAW_KEYS/);
    expect(() => verifyOptionsFromEnv({ EXCHANGE_TIMEOUT_MS: "5s" })).toThrow(/EXCHANGE_TIMEOUT_MS/);
  });
});
