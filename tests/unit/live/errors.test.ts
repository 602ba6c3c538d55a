/** Exchange errors → HTTP answers: never a 500, never a secret. */
import ccxt from "ccxt";
import { describe, expect, it, vi } from "vitest";
import { MalformedPayloadError } from "../../../functions/_shared/exchanges/index.ts";
import { HttpError } from "../../../functions/_shared/http.ts";
import { translateExchangeError } from "../../../functions/_shared/live/errors.ts";

const SECRETS = { apiKey: "KEYabcdef0123456789", secretKey: "SECRETzyxw9876543210", passphrase: "PASSphrase42" };
vi.spyOn(console, "warn").mockImplementation(() => {});

async function t(err: unknown, headers?: Record<string, string>, onAuthFailure?: () => Promise<void>) {
  const h = await translateExchangeError(err, { exchange: "binance", secrets: SECRETS, client: { last_response_headers: headers }, now: 0, onAuthFailure });
  const text = JSON.stringify({ m: h.message, d: h.details });
  for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
  return h;
}

describe("translateExchangeError", () => {
  it("auth → 422 invalid_key, after marking the credential", async () => {
    const mark = vi.fn(async () => {});
    const h = await t(new ccxt.AuthenticationError(`binance {"code":-2015,"msg":"Invalid API-key KEYabcdef0123456789, IP, or permissions for action."}`), undefined, mark);
    expect([h.status, h.code]).toEqual([422, "invalid_key"]);
    expect(mark).toHaveBeenCalledOnce();
    expect(h.details).toMatchObject({ verification_status: "invalid" });
    expect(h.message).toContain("[redacted]");
    const p = await t(new ccxt.PermissionDenied("binance {}"));
    expect(p.status).toBe(422);
  });

  it("rate limit → 429 with the exchange's Retry-After, else 30 s", async () => {
    const a = await t(new ccxt.DDoSProtection('binance {"code":-1003,"msg":"Too much request weight used"}'), { "Retry-After": "12" });
    expect([a.status, a.headers["retry-after"]]).toEqual([429, "12"]);
    const b = await t(new ccxt.RateLimitExceeded("gate"), {});
    expect([b.status, b.headers["retry-after"]]).toEqual([429, "30"]);
  });

  it("down, unreachable, clock → 503; malformed → 502; arguments → 400; not offered → 501; other → 502", async () => {
    expect((await t(new ccxt.ExchangeNotAvailable("binance GET 503 <html>"))).status).toBe(503);
    expect((await t(new ccxt.OnMaintenance("binance"))).status).toBe(503);
    expect((await t(new ccxt.NetworkError("fetch failed"))).status).toBe(503);
    expect((await t(new ccxt.RequestTimeout("timed out"))).status).toBe(503);
    expect((await t(new ccxt.InvalidNonce('binance {"code":-1021,"msg":"Timestamp outside recvWindow"}'))).status).toBe(503);
    expect((await t(new MalformedPayloadError("binance: response body is not valid JSON"))).status).toBe(502);
    expect((await t(new ccxt.BadResponse("x"))).status).toBe(502);
    expect((await t(new SyntaxError("Unexpected end of JSON input"))).status).toBe(502);
    const args = await t(new ccxt.ArgumentsRequired("binance fetchOrders() requires a symbol argument"));
    expect([args.status, args.message]).toEqual([400, "Binance needs more or other parameters for this request: “binance fetchOrders() requires a symbol argument”."]);
    expect((await t(new ccxt.NotSupported("binance fetchX() is not supported yet"))).status).toBe(501);
    expect((await t(new ccxt.ExchangeError('binance {"code":-1000,"msg":"An unknown error occurred"}'))).status).toBe(502);
    expect((await t(new Error("anything"))).status).toBe(502);
  });

  it("an HttpError passes through", async () => {
    const e = new HttpError(400, "invalid_request", "x");
    expect(await t(e)).toBe(e);
  });
});
