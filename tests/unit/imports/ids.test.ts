// Synthetic trade ids (idempotent re-import) and duplicate-detection fingerprints.
import { describe, expect, it } from "vitest";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { fingerprint, fillKeyText, syntheticTradeId, toSecond } from "../../../functions/_shared/imports/ids.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const HEADER = "Date(UTC),Pair,Side,Price,Executed,Amount,Fee";
const A = "2026-05-05 13:02:41,BTCUSDT,BUY,96500.1,0.05000000BTC,4825.00500000USDT,0.00565430BNB";
const B = "2026-05-06 13:02:41,BTCUSDT,SELL,97000,0.05000000BTC,4850.00000000USDT,0.00565430BNB";
const file = (...lines: string[]) => lines.join("\n") + "\n";

describe("synthetic trade ids", () => {
  it("the same content twice yields identical ids", async () => {
    const one = await parseExport({ text: file(HEADER, A, B, A) });
    const two = await parseExport({ text: file(HEADER, A, B, A) });
    expect(one.errors).toEqual([]);
    expect(one.fills.map((f) => f.trade_id)).toEqual(two.fills.map((f) => f.trade_id));
  });

  it("identical rows in one file stay distinct (occurrence index)", async () => {
    const r = await parseExport({ text: file(HEADER, A, A, A) });
    const ids = r.fills.map((f) => f.trade_id);
    expect(new Set(ids).size).toBe(3);
  });

  it("ids do not depend on the order of different rows, nor on number formatting", async () => {
    const x = await parseExport({ text: file(HEADER, A, B) });
    const y = await parseExport({ text: file(HEADER, B, A.replace("96500.1", "96500.10000")) });
    expect(x.fills[0].trade_id).toBe(y.fills[1].trade_id);
    expect(x.fills[1].trade_id).toBe(y.fills[0].trade_id);
  });

  it("an export covering a longer period gives the overlapping fills the same ids", async () => {
    const short = await parseExport({ text: file(HEADER, A) });
    const long = await parseExport({ text: file(HEADER, B, A) });
    expect(long.fills[1].trade_id).toBe(short.fills[0].trade_id);
  });

  it("is SHA-256 of the documented key text", async () => {
    const key = {
      exchange: "binance", market_type: "spot", symbol: "BTC/USDT", executed_at: "2026-05-05T13:02:41.000Z",
      side: "buy", price: "96500.1", amount: "0.05", fee: "0.0056543", fee_currency: "BNB",
    };
    expect(fillKeyText(key, 0)).toBe(
      '["binance","spot","BTC/USDT","2026-05-05T13:02:41.000Z","buy","96500.1","0.05","0.0056543","BNB",0]',
    );
    const r = await parseExport({ text: file(HEADER, A) });
    expect(r.fills[0].trade_id).toBe(await syntheticTradeId(key, 0));
  });
});

describe("fingerprint", () => {
  it("matches an API-synced copy of an imported fill (real trade id, milliseconds, trailing zeros)", async () => {
    const imported = (await parseExport({ text: file(HEADER, A) })).fills[0];
    const api: FillRow = {
      ...imported, trade_id: "3456789012", order_id: "28457", price: "96500.10", amount: "0.050",
      fees: [{ currency: "BNB", amount: "0.00565430" }], executed_at: "2026-05-05T13:02:41.873Z",
      taker_or_maker: "taker", source: "api",
    };
    expect(await fingerprint(api)).toBe(await fingerprint(imported));
    expect(await fingerprint(imported)).toMatch(/^fp:[0-9a-f]{24}$/);
  });

  it("differs when any identifying field differs", async () => {
    const f = (await parseExport({ text: file(HEADER, A) })).fills[0];
    const base = await fingerprint(f);
    for (const change of [
      { price: "96500.2" }, { amount: "0.051" }, { side: "sell" as const }, { symbol: "BTC/USDC" },
      { executed_at: "2026-05-05T13:02:42.000Z" }, { fees: [{ currency: "USDT", amount: "0.0056543" }] },
      { exchange: "bitget" as const }, { market_type: "swap" as const },
    ]) {
      expect(await fingerprint({ ...f, ...change })).not.toBe(base);
    }
  });

  it("toSecond truncates (does not round) milliseconds", () => {
    expect(toSecond("2026-05-05T13:02:41.999Z")).toBe("2026-05-05T13:02:41Z");
  });
});
