/** Balances, transfers, tickers, positions and funding → rows, exact. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayCase, type ReplayServer, startReplayServer, type FixtureExchange } from "../../support/ccxt/replay.ts";
import {
  MalformedPayloadError,
  normalizeBalance,
  normalizeBinanceIncome,
  normalizeFundingHistory,
  normalizePositions,
  normalizeTicker,
  normalizeTickers,
  normalizeTransfers,
} from "../../../functions/_shared/exchanges/index.ts";
import { AS_OF, c } from "./helpers.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

// deno-lint-ignore no-explicit-any
type Any = any;
async function run(ex: FixtureExchange, method: string, description: string) {
  const r = await replayCase<Any>(server, ex, method, description);
  return { client: r.client, result: r.result, raw: r.case.httpResponse as Any };
}
async function balances(ex: FixtureExchange, description: string, accountType = "spot") {
  const { client, result, raw } = await run(ex, "fetchBalance", description);
  return { rows: normalizeBalance(client, result, { accountType, asOf: AS_OF }), raw, client, result };
}

describe("balances", () => {
  it("binance spot: free/locked raw, zero assets dropped unless asked", async () => {
    const { rows, raw, client, result } = await balances("binance", "Spot balance");
    expect(rows).toEqual([
      { exchange: "binance", account_type: "spot", asset: "LTC", free: c(raw.balances[1].free), locked: "0", total: "0.919741", as_of: AS_OF },
      { exchange: "binance", account_type: "spot", asset: "ETH", free: "0.02229833", locked: "0", total: "0.02229833", as_of: AS_OF },
    ]);
    expect(normalizeBalance(client, result, { accountType: "spot", asOf: AS_OF, includeZero: true }).map((r) => r.asset)).toEqual(["BTC", "LTC", "ETH"]);
  });
  it("binance usdm and papi balances (ccxt numbers via numberToString)", async () => {
    expect((await balances("binance", "Linear swap balance", "swap")).rows).toEqual([
      { exchange: "binance", account_type: "swap", asset: "USDT", free: "31.022612", locked: "0", total: "31.022612", as_of: AS_OF },
    ]);
    const papi = await balances("binance", "fetch papi balance", "portfolio_margin");
    expect(papi.rows.find((r) => r.asset === "USDT")).toMatchObject({ total: "136.03451668" });
  });
  it("bitget spot: locked = frozen + locked", async () => {
    const { rows, raw } = await balances("bitget", "spot balance");
    const usdt = raw.data.find((b: Any) => b.coin === "USDT");
    expect(rows.find((r) => r.asset === "USDT")).toMatchObject({ free: c(usdt.available), locked: "5.5", total: "23.35159289" });
    expect(rows.map((r) => r.asset)).toEqual(["BGB", "USDT", "LTC", "TRX", "FON"]);
  });
  it("bitget cross margin (ccxt has free null): raw available/frozen/totalAmount", async () => {
    const { rows } = await balances("bitget", "spot cross", "margin_cross");
    expect(rows).toEqual([{ exchange: "bitget", account_type: "margin_cross", asset: "USDT", free: "0.01", locked: "0", total: "0.01", as_of: AS_OF }]);
  });
  it("bitget UTA assets", async () => {
    const { rows } = await balances("bitget", "Fetch the uta balance", "unified");
    expect(rows.find((r) => r.asset === "USDC")).toMatchObject({ free: "100000", locked: "0", total: "100000" });
  });
  it("gate spot accounts (hand-written)", async () => {
    const { rows } = await balances("gate", "spot accounts");
    expect(rows).toEqual([
      { exchange: "gateio", account_type: "spot", asset: "USDT", free: "1523.77331245", locked: "100.5", total: "1624.27331245", as_of: AS_OF },
      { exchange: "gateio", account_type: "spot", asset: "LTC", free: "0.0733", locked: "0", total: "0.0733", as_of: AS_OF },
      { exchange: "gateio", account_type: "spot", asset: "GT", free: "0.00000001", locked: "0", total: "0.00000001", as_of: AS_OF },
    ]);
  });
  it("mexc spot account (hand-written): 0.0000001 stays exact", async () => {
    const { rows } = await balances("mexc", "spot account");
    expect(rows.find((r) => r.asset === "USDT")).toMatchObject({ free: "0.0000001", total: "0.0000001" });
    expect(rows.find((r) => r.asset === "MX")).toMatchObject({ free: "3.12345678", locked: "0.5", total: "3.62345678" });
  });
});

describe("transfers", () => {
  it("binance deposit and withdrawal with network, address, txid, fee", async () => {
    const d = await run("binance", "fetchDeposits", "fetchDeposits");
    expect(normalizeTransfers(d.client, d.result, "deposit")).toEqual([
      { exchange: "binance", kind: "deposit", transfer_id: "4534543435", asset: "USDT", amount: "10", fee: null, fee_currency: null, network: "TRC20", address: "534j5h435j34hk", tx_id: "435kl435jh4354j3k5", status: "ok", occurred_at: "2024-05-05T15:41:44.000Z" },
    ]);
    const w = await run("binance", "fetchWithdrawals", "fetchWithdrawals");
    expect(normalizeTransfers(w.client, w.result, "withdrawal")[0]).toMatchObject({ kind: "withdrawal", amount: c(w.raw[0].amount), fee: c(w.raw[0].transactionFee), fee_currency: "USDT", tx_id: w.raw[0].txId, status: "ok" });
  });
  it("bitget (hand-written): size as amount, negative fee normalised", async () => {
    const d = await run("bitget", "fetchDeposits", "spot wallet deposit records");
    expect(normalizeTransfers(d.client, d.result, "deposit")[0]).toMatchObject({ transfer_id: "1131289452385005568", amount: "150.12345678", network: "TRC20", status: "ok" });
    const w = await run("bitget", "fetchWithdrawals", "spot wallet withdrawal records");
    expect(normalizeTransfers(w.client, w.result, "withdrawal")[0]).toMatchObject({ amount: "99.5", fee: "1.5", fee_currency: "USDT", network: "ERC20" });
  });
  it("gate (hand-written)", async () => {
    const d = await run("gate", "fetchDeposits", "wallet deposits");
    expect(normalizeTransfers(d.client, d.result, "deposit")[0]).toMatchObject({ transfer_id: "d210496", amount: "222.61", asset: "USDT", status: "ok" });
    const w = await run("gate", "fetchWithdrawals", "wallet withdrawals");
    expect(normalizeTransfers(w.client, w.result, "withdrawal")[0]).toMatchObject({ transfer_id: "w1879219868", amount: "49.123456", fee: "0.8", network: "BEP20" });
  });
  it("mexc (hand-written): deposits without id use the tx hash", async () => {
    const d = await run("mexc", "fetchDeposits", "deposit history");
    const dep = normalizeTransfers(d.client, d.result, "deposit")[0];
    expect(dep).toMatchObject({ amount: "50000.000001", status: "ok" });
    expect(dep.transfer_id).toBe(d.raw[0].txId);
    const w = await run("mexc", "fetchWithdrawals", "withdraw history");
    expect(normalizeTransfers(w.client, w.result, "withdrawal")[0]).toMatchObject({ transfer_id: "bb17a2d452684f00a523c015d512a341", amount: "120.5", fee: "3.2", status: "ok" });
  });
  it("a body of the wrong shape is rejected (gate: object instead of list)", async () => {
    const d = await run("gate", "fetchDeposits", "wallet deposits");
    expect(() => normalizeTransfers(d.client, [{ info: "00000", fee: {} } as Any], "deposit")).toThrow(MalformedPayloadError);
  });
});

describe("tickers → PriceRow", () => {
  it.each([
    ["binance", "fetchTicker", "public spot ticker", "73369.84"],
    ["bitget", "fetchTicker", "public spot ticker", "73369.13"],
    ["bitget", "fetchTicker", "uta swap ticker", "104676.5"],
    ["gate", "fetchTicker", "public spot ticker", "73373.9"],
    ["mexc", "fetchTicker", "public spot ticker", "73397.77"],
  ] as const)("%s %s %s", async (ex, method, description, price) => {
    const { client, result } = await run(ex, method, description);
    const row = normalizeTicker(client, result, AS_OF);
    expect(row.price).toBe(price);
    expect(row.kind).toBe("last");
    if (ex === "gate") expect(row.as_of).toBe(AS_OF); // gate tickers carry no time
    else expect(row.as_of).not.toBe(AS_OF);
  });
  it("fetchTickers", async () => {
    const b = await run("binance", "fetchTickers", "rolling tickers");
    expect(normalizeTickers(b.client, b.result, AS_OF).map((r) => [r.symbol, r.price])).toEqual([["BTC/USDT", "118390.44"], ["ETH/USDT", "3820.06"]]);
    const g = await run("bitget", "fetchTickers", "uta fetchTickers for one swap symbol");
    expect(normalizeTickers(g.client, g.result, AS_OF)).toEqual([{ exchange: "bitget", symbol: "BTC/USDT:USDT", price: "104729.7", kind: "last", as_of: "2025-06-19T11:58:29.513Z" }]);
  });
});

describe("positions → ExchangePositionRow", () => {
  it("binance linear: raw strings; inverse (coin-margined) skipped", async () => {
    const p = await run("binance", "fetchPositions", "Fetch linear positions without symbols");
    expect(normalizePositions(p.client, p.result, AS_OF).rows).toEqual([
      { exchange: "binance", symbol: "BTC/USDT:USDT", side: "long", amount: "0.009", entry_price: "67445.9", mark_price: "67502.68519858", unrealized_pnl: "0.51106678", leverage: null, margin_mode: "cross", liquidation_price: "64846.9875379", as_of: AS_OF },
    ]);
    const inv = await run("binance", "fetchPositions", "inverse positions");
    const r = normalizePositions(inv.client, inv.result, AS_OF);
    expect(r.rows).toEqual([]);
    expect(r.skipped).toEqual([{ id: null, symbol: "BTC/USD:BTC", reason: "not a linear swap" }]);
  });
  it("bitget classic and UTA: liquidation price 0 → null", async () => {
    const p = await run("bitget", "fetchPositions", "Linear position");
    expect(normalizePositions(p.client, p.result, AS_OF).rows[0]).toMatchObject({ side: "long", amount: "0.1", entry_price: "72.66", mark_price: "72.62", unrealized_pnl: "-0.004", leverage: "5", margin_mode: "cross", liquidation_price: null });
    const u = await run("bitget", "fetchPositions", "fetchPositions uta");
    expect(normalizePositions(u.client, u.result, AS_OF).rows[0]).toMatchObject({ amount: "0.001", entry_price: "115085.6", leverage: "20" });
  });
  it("gate: 1 contract × 0.1 = 0.1 LTC, isolated", async () => {
    const p = await run("gate", "fetchPositions", "Fetch positions");
    expect(normalizePositions(p.client, p.result, AS_OF).rows[0]).toMatchObject({ amount: "0.1", entry_price: "74.35", mark_price: "74.43", unrealized_pnl: "0.008", leverage: "5", margin_mode: "isolated", liquidation_price: "60.07" });
  });
  it("mexc (hand-written): contracts → base, openType read from the raw body", async () => {
    const p = await run("mexc", "fetchPositions", "open swap positions");
    const rows = normalizePositions(p.client, p.result, AS_OF).rows;
    expect(rows).toEqual([
      { exchange: "mexc", symbol: "BTC/USDT:USDT", side: "long", amount: "0.0025", entry_price: "43512.7", mark_price: null, unrealized_pnl: null, leverage: "20", margin_mode: "isolated", liquidation_price: "35000.5", as_of: AS_OF },
      { exchange: "mexc", symbol: "BTC/USDT:USDT", side: "short", amount: "0.0003", entry_price: "44000.1", mark_price: null, unrealized_pnl: null, leverage: "10", margin_mode: "cross", liquidation_price: null, as_of: AS_OF },
    ]);
    expect(p.result[0].marginMode).toBe("cross"); // ccxt's reading of openType 1 (isolated)
  });
});

describe("funding → FundingRow", () => {
  it("binance fetchFundingHistory (hand-written income body): paid negative, received positive", async () => {
    const f = await run("binance", "fetchFundingHistory", "usdm funding fees");
    expect(normalizeFundingHistory(f.client, f.result)).toEqual([
      { exchange: "binance", symbol: "BTC/USDT:USDT", funding_id: "9689322392", currency: "USDT", amount: "-0.00112476", occurred_at: "2023-11-15T00:00:00.000Z" },
      { exchange: "binance", symbol: "BTC/USDT:USDT", funding_id: "9689322393", currency: "USDT", amount: "0.0000001", occurred_at: "2023-11-15T08:00:00.000Z" },
    ]);
  });
  it("binance raw fapiPrivateGetIncome rows: only FUNDING_FEE", async () => {
    const f = await run("binance", "fetchFundingHistory", "usdm funding fees");
    const rows = [...f.raw, { symbol: "BTCUSDT", incomeType: "COMMISSION", income: "-0.01", asset: "USDT", time: 1700006400001, tranId: "1" }];
    expect(normalizeBinanceIncome(f.client, rows).map((r) => r.funding_id)).toEqual(["9689322392", "9689322393"]);
  });
  it("gate account book (hand-written): id from the raw row", async () => {
    const f = await run("gate", "fetchFundingHistory", "futures funding account book");
    expect(normalizeFundingHistory(f.client, f.result)).toEqual([
      { exchange: "gateio", symbol: "LTC/USDT:USDT", funding_id: "88812", currency: "USDT", amount: "-0.000123456789", occurred_at: "2024-01-23T00:00:00.123Z" },
    ]);
  });
});
