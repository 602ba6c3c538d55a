/** createExchangeClient: global fetch routing, pinned account modes, preloaded markets, mode detection. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, HttpResponse } from "msw";
import { loadMarkets, type ReplayServer, startReplayServer } from "../../support/ccxt/replay.ts";
import { createExchangeClient, detectAccountMode, exchangeIdOf } from "../../../functions/_shared/exchanges/index.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

describe("createExchangeClient", () => {
  it("maps our ids to ccxt's and back (gateio ↔ gate)", () => {
    const ex = createExchangeClient({ exchange: "gateio", apiKey: "k", secret: "s" });
    expect(ex.id).toBe("gate");
    expect(exchangeIdOf(ex)).toBe("gateio");
    expect(() => exchangeIdOf({ id: "kraken" })).toThrow();
  });
  it("pins classic account modes unless a stored mode is passed; rate limiter on by default", () => {
    const b = createExchangeClient({ exchange: "bitget", apiKey: "k", secret: "s", password: "p" });
    const g = createExchangeClient({ exchange: "gateio", apiKey: "k", secret: "s" });
    // deno-lint-ignore no-explicit-any
    const opt = (x: unknown) => (x as any).options;
    expect(opt(b).uta).toBe(false);
    expect(opt(g).unifiedAccount).toBe(false);
    expect(b.enableRateLimit).toBe(true);
    expect(b.password).toBe("p");
    const u = createExchangeClient({ exchange: "bitget", apiKey: "k", secret: "s", accountMode: { bitgetUta: true } });
    expect(opt(u).uta).toBe(true);
  });
  it("routes requests through globalThis.fetch (msw sees them) and uses preloaded markets (no market call)", async () => {
    const seen: string[] = [];
    server.resetHandlers(
      http.get("https://api.mexc.com/api/v3/myTrades", ({ request }) => {
        seen.push(new URL(request.url).searchParams.get("symbol")!);
        return HttpResponse.json([]);
      }),
    );
    const ex = createExchangeClient({ exchange: "mexc", apiKey: "k", secret: "s", markets: loadMarkets("mexc"), enableRateLimit: false });
    expect(await ex.fetchMyTrades("ATLAS/USDT")).toEqual([]);
    expect(seen).toEqual(["ATLASUSDT"]); // any other request (e.g. loadMarkets) would fail: onUnhandledRequest "error"
  });
});

describe("detectAccountMode (production hook: store the result per credential)", () => {
  it("bitget: UTA when the v3 settings endpoint answers", async () => {
    server.resetHandlers(http.get("https://api.bitget.com/api/v3/account/settings", () => HttpResponse.json({ code: "00000", msg: "success", requestTime: 1, data: {} })));
    const ex = createExchangeClient({ exchange: "bitget", apiKey: "k", secret: "s", password: "p", markets: loadMarkets("bitget"), enableRateLimit: false });
    expect(await detectAccountMode(ex)).toEqual({ bitgetUta: true });
    server.resetHandlers(http.get("https://api.bitget.com/api/v3/account/settings", () => HttpResponse.json({ code: "40084", msg: "not a UTA account", requestTime: 1, data: null }, { status: 400 })));
    expect(await detectAccountMode(ex)).toEqual({ bitgetUta: false });
  });
  it("gate: unified when account/detail says key mode 2; the pinned option is restored", async () => {
    server.resetHandlers(http.get("https://api.gateio.ws/api/v4/account/detail", () => HttpResponse.json({ user_id: 1, key: { mode: 2 } })));
    const ex = createExchangeClient({ exchange: "gateio", apiKey: "k", secret: "s", markets: loadMarkets("gate"), enableRateLimit: false });
    expect(await detectAccountMode(ex)).toEqual({ gateUnified: true });
    // deno-lint-ignore no-explicit-any
    expect((ex as any).options.unifiedAccount).toBe(false);
  });
  it("binance and mexc have no mode to detect", async () => {
    expect(await detectAccountMode(createExchangeClient({ exchange: "binance", apiKey: "k", secret: "s" }))).toEqual({});
  });
});
