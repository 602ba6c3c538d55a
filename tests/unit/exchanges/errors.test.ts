/**
 * Error classification for each row of the README's error table: the exchange's error body is
 * served by msw, the real ccxt exception is raised, classifyError decides. Plus backoff, Retry-After
 * and the InvalidNonce time resync.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, HttpResponse } from "msw";
import * as ccxt from "ccxt";
import { replayClient, type FixtureExchange, type ReplayServer, startReplayServer } from "../../support/ccxt/replay.ts";
import { type ErrorCase, errorResponse } from "../../support/ccxt/synthetic.ts";
import {
  assertJsonBody,
  backoffDelay,
  classifyError,
  MalformedPayloadError,
  normalizeTrades,
  parseRetryAfter,
  withNonceResync,
  withRetry,
} from "../../../functions/_shared/exchanges/index.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

const TRADES: Record<FixtureExchange, [string, string]> = {
  binance: ["https://api.binance.com/api/v3/myTrades", "LTC/USDT"],
  bitget: ["https://api.bitget.com/api/v2/spot/trade/fills", "LTC/USDT"],
  gate: ["https://api.gateio.ws/api/v4/spot/my_trades", "LTC/USDT"],
  mexc: ["https://api.mexc.com/api/v3/myTrades", "ATLAS/USDT"],
};

async function failWith(ex: FixtureExchange, kind: ErrorCase, o: { retryAfterSec?: number } = {}) {
  const [url, symbol] = TRADES[ex];
  server.resetHandlers(http.get(url, errorResponse(ex, kind, o)));
  const client = replayClient(ex);
  try {
    await client.fetchMyTrades(symbol, undefined, 10);
  } catch (e) {
    return { error: e as Error, client };
  }
  throw new Error("expected the call to fail");
}

describe("README error table → action", () => {
  it.each([
    ["binance", "auth", "AuthenticationError"],
    ["bitget", "auth", "AuthenticationError"],
    ["gate", "auth", "AuthenticationError"],
    ["mexc", "auth", "AuthenticationError"],
  ] as const)("%s invalid key → %s → auth, no retry", async (ex, kind, cls) => {
    const { error, client } = await failWith(ex, kind);
    expect(error.constructor.name).toBe(cls);
    expect(classifyError(error, client)).toMatchObject({ kind: "auth", retryable: false, errorClass: cls });
  });

  it("mexc 10072 'Api key info invalid' is a ccxt BadRequest, treated as authentication failure", async () => {
    const { error, client } = await failWith("mexc", "mexc_10072");
    expect(error).toBeInstanceOf(ccxt.BadRequest);
    expect(classifyError(error, client)).toMatchObject({ kind: "auth", retryable: false });
  });

  it("binance 429 -1003 → DDoSProtection (a NetworkError) → rate_limit, Retry-After honoured", async () => {
    const now = Date.now();
    const { error, client } = await failWith("binance", "rate_limit", { retryAfterSec: 7 });
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(error).toBeInstanceOf(ccxt.NetworkError);
    expect(classifyError(error, client, now)).toMatchObject({ kind: "rate_limit", retryable: true, retryAfterMs: 7000 });
  });

  it("binance 418 (IP ban) → DDoSProtection → rate_limit", async () => {
    const { error, client } = await failWith("binance", "binance_418", { retryAfterSec: 120 });
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(classifyError(error, client)).toMatchObject({ kind: "rate_limit", retryAfterMs: 120_000 });
  });

  it("bitget 429 → DDoSProtection → rate_limit", async () => {
    const { error, client } = await failWith("bitget", "rate_limit", { retryAfterSec: 1 });
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(classifyError(error, client)).toMatchObject({ kind: "rate_limit", retryable: true, retryAfterMs: 1000 });
  });

  it.each(["gate", "mexc"] as const)("%s 429 → RateLimitExceeded → rate_limit", async (ex) => {
    const { error, client } = await failWith(ex, "rate_limit");
    expect(error).toBeInstanceOf(ccxt.RateLimitExceeded);
    const c = classifyError(error, client);
    expect(c).toMatchObject({ kind: "rate_limit", retryable: true });
    expect(c.retryAfterMs).toBeUndefined();
  });

  it("binance 503 HTML → ExchangeNotAvailable → unavailable, retry later", async () => {
    const { error, client } = await failWith("binance", "binance_503_html");
    expect(error).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(classifyError(error, client)).toMatchObject({ kind: "unavailable", retryable: true });
  });

  it("plain 500 → unavailable", async () => {
    const { error, client } = await failWith("gate", "server_500");
    expect(classifyError(error, client)).toMatchObject({ kind: "unavailable", retryable: true });
  });

  it("binance -1021 → InvalidNonce → nonce", async () => {
    const { error, client } = await failWith("binance", "binance_1021");
    expect(error).toBeInstanceOf(ccxt.InvalidNonce);
    expect(classifyError(error, client)).toMatchObject({ kind: "nonce", retryable: true });
  });

  it.each(["binance", "bitget", "gate", "mexc"] as const)("%s connection failure → NetworkError → network", async (ex) => {
    const { error, client } = await failWith(ex, "connection");
    expect(error).toBeInstanceOf(ccxt.NetworkError);
    expect(classifyError(error, client)).toMatchObject({ kind: "network", retryable: true });
  });

  it("malformed JSON → bad_response (the page is rejected, nothing of it normalised)", async () => {
    const [url] = TRADES.binance;
    server.resetHandlers(http.get(url, errorResponse("binance", "malformed_json")));
    const client = replayClient("binance");
    let caught: unknown;
    try {
      const trades = await client.fetchMyTrades("LTC/USDT", undefined, 10);
      normalizeTrades(client, trades);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeDefined();
    expect(classifyError(caught, client)).toMatchObject({ kind: "bad_response", retryable: false });
  });

  it.each(["binance", "bitget", "gate", "mexc"] as const)("%s malformed JSON: assertJsonBody rejects the page even where ccxt returns []", async (ex) => {
    const [url, symbol] = TRADES[ex];
    server.resetHandlers(http.get(url, errorResponse(ex, "malformed_json")));
    const client = replayClient(ex);
    let caught: unknown;
    try {
      const trades = await client.fetchMyTrades(symbol, undefined, 10);
      if (ex === "bitget") expect(trades).toEqual([]); // ccxt swallows it
      assertJsonBody(client);
    } catch (e) {
      caught = e;
    }
    expect(classifyError(caught, client).kind).toBe("bad_response");
    // a well-formed body passes
    server.resetHandlers(http.get(url, () => HttpResponse.json(ex === "bitget" ? { code: "00000", msg: "success", requestTime: 1, data: [] } : [])));
    await client.fetchMyTrades(symbol, undefined, 10);
    expect(() => assertJsonBody(client)).not.toThrow();
  });

  it("our MalformedPayloadError → bad_response; other exchange errors → bad_request; anything else → unknown", () => {
    expect(classifyError(new MalformedPayloadError("x")).kind).toBe("bad_response");
    expect(classifyError(new ccxt.BadSymbol("binance bad symbol"))).toMatchObject({ kind: "bad_request", retryable: false });
    expect(classifyError(new ccxt.BadRequest("mexc {\"code\":10072,\"msg\":\"Api key info invalid\"}")).kind).toBe("auth");
    expect(classifyError(new ccxt.BadRequest("binance -1100 illegal characters")).kind).toBe("bad_request");
    expect(classifyError(new ccxt.RequestTimeout("t")).kind).toBe("network");
    expect(classifyError(new ccxt.OnMaintenance("m")).kind).toBe("unavailable");
    expect(classifyError(new ccxt.PermissionDenied("p")).kind).toBe("auth");
    expect(classifyError(new Error("boom"))).toMatchObject({ kind: "unknown", retryable: false });
    expect(classifyError("string")).toMatchObject({ kind: "unknown", message: "string" });
  });
});

describe("InvalidNonce → resync time and retry once", () => {
  it("loads the server time offset and succeeds on the retry", async () => {
    let calls = 0;
    server.resetHandlers(
      http.get(TRADES.binance[0], () => {
        calls++;
        return calls === 1 ? errorResponse("binance", "binance_1021")() : HttpResponse.json([]);
      }),
      http.get("https://api.binance.com/api/v3/time", () => HttpResponse.json({ serverTime: Date.now() - 2500 })),
    );
    const client = replayClient("binance");
    const out = await withNonceResync(client, () => client.fetchMyTrades("LTC/USDT", undefined, 10));
    expect(out).toEqual([]);
    expect(calls).toBe(2);
    // deno-lint-ignore no-explicit-any
    expect((client as any).options.timeDifference).toBeGreaterThanOrEqual(2500);
  });
  it("other errors pass through untouched", async () => {
    const client = replayClient("binance");
    await expect(withNonceResync(client, () => Promise.reject(new ccxt.AuthenticationError("x")))).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });
});

describe("Retry-After and backoff", () => {
  it("parses delta-seconds and HTTP dates", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it("gate's reset timestamp header is used without Retry-After; header names are case-insensitive", () => {
    const now = 1_700_000_000_000;
    const e = new ccxt.RateLimitExceeded("gate");
    expect(classifyError(e, { last_response_headers: { "X-Gate-RateLimit-Reset-Timestamp": String(now + 4000) } }, now).retryAfterMs).toBe(4000);
    expect(classifyError(e, { last_response_headers: { "retry-after": "2" } }, now).retryAfterMs).toBe(2000);
  });
  it("full jitter: uniform in [0, min(cap, base·2^attempt))", () => {
    const hi = () => 0.999999;
    expect(backoffDelay(0, undefined, () => 0)).toBe(0);
    expect(backoffDelay(0, undefined, hi)).toBe(499);
    expect(backoffDelay(3, undefined, hi)).toBe(3999);
    expect(backoffDelay(20, undefined, hi)).toBe(59_999); // capped at 60 s
    expect(backoffDelay(5, undefined, () => 0.5, { baseMs: 100, capMs: 1000 })).toBe(500);
    for (let a = 0; a < 40; a++) {
      const d = backoffDelay(a, undefined, Math.random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(60_000);
    }
  });
  it("Retry-After is a floor (plus up to base of jitter), not capped", () => {
    expect(backoffDelay(0, 7000, () => 0)).toBe(7000);
    expect(backoffDelay(9, 7000, () => 0.5)).toBe(7250);
    expect(backoffDelay(0, 600_000, () => 0)).toBe(600_000);
  });
});

describe("withRetry", () => {
  const url = "https://api.binance.com/api/v3/myTrades";
  function serve(...responses: Array<() => Response>) {
    let i = 0;
    server.resetHandlers(http.get(url, () => responses[Math.min(i++, responses.length - 1)]()));
    return () => i;
  }
  it("429 with Retry-After, then success: waits at least Retry-After, completes", async () => {
    const count = serve(errorResponse("binance", "rate_limit", { retryAfterSec: 3 }), () => HttpResponse.json([]));
    const client = replayClient("binance");
    const waits: number[] = [];
    const out = await withRetry(client, () => client.fetchMyTrades("LTC/USDT"), { sleep: async (ms) => void waits.push(ms), rng: () => 0 });
    expect(out).toEqual([]);
    expect(count()).toBe(2);
    expect(waits).toEqual([3000]);
  });
  it("authentication error: one call, no retry", async () => {
    const count = serve(errorResponse("binance", "auth"));
    const client = replayClient("binance");
    await expect(withRetry(client, () => client.fetchMyTrades("LTC/USDT"), { sleep: async () => {} })).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    expect(count()).toBe(1);
  });
  it("persistent 5xx: gives up after maxAttempts with exponential, jittered waits", async () => {
    const count = serve(errorResponse("binance", "binance_503_html"));
    const client = replayClient("binance");
    const waits: number[] = [];
    await expect(withRetry(client, () => client.fetchMyTrades("LTC/USDT"), { maxAttempts: 4, sleep: async (ms) => void waits.push(ms), rng: () => 0.999 })).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(count()).toBe(4);
    expect(waits).toEqual([499, 999, 1998]);
  });
  it("a Retry-After longer than the budget (binance 418 ban) gives up at once", async () => {
    const count = serve(errorResponse("binance", "binance_418", { retryAfterSec: 3600 }));
    const client = replayClient("binance");
    await expect(withRetry(client, () => client.fetchMyTrades("LTC/USDT"), { sleep: async () => {} })).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    expect(count()).toBe(1);
  });
  it("InvalidNonce: resyncs the clock once, then retries", async () => {
    let n = 0;
    server.resetHandlers(
      http.get(url, () => (n++ === 0 ? errorResponse("binance", "binance_1021")() : HttpResponse.json([]))),
      http.get("https://api.binance.com/api/v3/time", () => HttpResponse.json({ serverTime: Date.now() })),
    );
    const client = replayClient("binance");
    expect(await withRetry(client, () => client.fetchMyTrades("LTC/USDT"), { sleep: async () => {} })).toEqual([]);
    expect(n).toBe(2);
  });
});
