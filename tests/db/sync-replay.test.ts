/**
 * The worker on the recorded exchange bodies (ccxt's fixtures + our hand-written ones), one sync
 * per exchange through the real ccxt clients (msw at HTTP) into the real database: fills (with
 * every fee entry in fees_tracking), orders, balances and transfers stored with exact amounts;
 * a second identical sync adds no row.
 */
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { type ReplayServer, startReplayServer, getCase } from "../support/ccxt/replay.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { syncCredential, type SyncOptions } from "../../functions/_shared/sync/index.ts";
import { makeDeps, newCredential, SECRETS, serveCases, tableCounts } from "../unit/sync/support.ts";

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const daysBetween = (from: string, to: number) => Math.ceil((to - Date.parse(from)) / DAY) + 1;

let server: ReplayServer;
let pricesBefore = "0";
beforeAll(async () => {
  exportStackEnv();
  const [p] = await adminSql()`select coalesce(max(id), 0)::text as id from public.market_prices`;
  pricesBefore = p.id;
  server = startReplayServer();
});
afterAll(async () => {
  // market_prices is shared by every user: leave no price behind for other tests
  await adminSql()`delete from public.market_prices where id > ${pricesBefore}`;
  server.close();
  await closeDb();
  await closePools();
});

const BASE: SyncOptions = { backfillDays: 1, discover: false };

async function fills(userId: string) {
  return await adminSql()`
    select exchange::text, market_type::text, symbol, trade_id, order_id, side, price::text, amount::text, cost::text, fees,
           taker_or_maker, exchange_realized_pnl::text, is_liquidation, executed_at
      from public.fills where user_id = ${userId} order by symbol, trade_id`;
}
async function fees(userId: string) {
  return await adminSql()`
    select market_type::text, symbol, fee_amount::text, fee_currency, fee_type, transaction_type, source_key, related_order_id
      from public.fees_tracking where user_id = ${userId} order by source_key`;
}
async function orders(userId: string) {
  return await adminSql()`
    select market_type::text, symbol, order_id, side, type, status, price::text, quantity::text, executed_qty::text,
           average_price::text, reduce_only
      from public.orders where user_id = ${userId} order by symbol, order_id`;
}
async function balances(userId: string) {
  return await adminSql()`
    select account_type, asset, free::text, locked::text, total::text from public.balances where user_id = ${userId} order by account_type, asset`;
}
async function transfers(userId: string) {
  return await adminSql()`
    select kind, transfer_id, asset, amount::text, fee::text, fee_currency, network, status, tx_id
      from public.transfers where user_id = ${userId} order by kind, transfer_id`;
}
/** numeric(38,18)::text → canonical decimal. */
const c = (s: string | null) => (s === null ? null : s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);

/**
 * ccxt drops rows older than `since` client-side, so each exchange's clock is set just after its
 * recorded bodies (they span 2023–2025) and the backfill reaches back to the oldest of them.
 */
async function syncTwice(ex: Parameters<typeof makeDeps>[0], options: SyncOptions, cred: { user: { id: string }; credentialId: string }, now: number) {
  const deps = makeDeps(ex, { options, now: () => now });
  const first = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
  expect(first.errors, JSON.stringify(first.errors)).toEqual([]);
  expect(first.status).toBe("succeeded");
  const before = await tableCounts(cred.user.id);
  const snapshot = { fills: await fills(cred.user.id), orders: await orders(cred.user.id), transfers: await transfers(cred.user.id), fees: await fees(cred.user.id) };
  const second = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
  expect(second.status).toBe("succeeded");
  for (const k of ["fills", "orders", "transfers", "fees", "funding"]) expect(second.counts[k] ?? 0, k).toBe(0);
  expect(second.counts.orders_updated ?? 0).toBe(0);
  expect(await tableCounts(cred.user.id)).toEqual(before);
  expect({ fills: await fills(cred.user.id), orders: await orders(cred.user.id), transfers: await transfers(cred.user.id), fees: await fees(cred.user.id) }).toEqual(snapshot);
  // the run rows: nothing secret, counts recorded
  const runs = await adminSql()`select status, counts, errors, pages from public.sync_runs where user_id = ${cred.user.id} order by id`;
  expect(runs).toHaveLength(2);
  for (const s of Object.values(SECRETS)) expect(JSON.stringify(runs)).not.toContain(s);
  const [credRow] = await adminSql()`select last_sync_status, last_sync_at from public.api_credentials where id = ${cred.credentialId}`;
  expect(credRow.last_sync_status).toBe("succeeded");
  expect(new Date(credRow.last_sync_at).getTime()).toBe(now);
  return { first, second };
}

describe("binance", () => {
  it("spot + USDⓈ-M: fills, fees, orders, balances, transfers, positions, prices; idempotent", async () => {
    const ticker = getCase("binance", "fetchTicker", "public spot ticker").httpResponse as Record<string, unknown>;
    serveCases(server, "binance", [
      ["fetchMyTrades", "Spot private trade"],
      ["fetchMyTrades", "Swap private trade"],
      ["fetchOrders", "fetch spot orders"],
      ["fetchOpenOrders", "Fetch spot open orders"],
      ["fetchBalance", "Spot balance"],
      ["fetchBalance", "Linear swap balance"],
      ["fetchPositions", "Fetch linear positions without symbols"],
      ["fetchDeposits", "fetchDeposits"],
      ["fetchWithdrawals", "fetchWithdrawals"],
    ], [
      // not in the recorded set: an empty futures order history / open orders (binance answers [])
      http.get("https://fapi.binance.com/fapi/v1/allOrders", () => HttpResponse.json([])),
      http.get("https://fapi.binance.com/fapi/v1/openOrders", () => HttpResponse.json([])),
      // the recorded BTCUSDT 24 h ticker, served for the assets held (LTC, ETH): hand-adapted
      http.get("https://api.binance.com/api/v3/ticker/24hr", () =>
        HttpResponse.json([{ ...ticker, symbol: "LTCUSDT", lastPrice: "69.63000000" }, { ...ticker, symbol: "ETHUSDT", lastPrice: "2241.05000000" }])),
    ]);
    const cred = await newCredential("binance", "bn");
    const now = at("2024-05-06T00:00:00Z");
    const { first } = await syncTwice("binance", {
      ...BASE, backfillDays: daysBetween("2023-10-24", now), userSymbols: ["LTC/USDT", "BTC/USDT:USDT"],
      steps: ["balances", "positions", "open_orders", "transfers", "orders", "fills", "tickers"],
    }, cred, now);
    expect(first.counts).toMatchObject({ fills: 2, orders: 2, transfers: 2, fees: 3, balances: 3, prices: 2, positions: 1 });
    expect(first.touched).toEqual(expect.arrayContaining([
      { exchange: "binance", market_type: "spot", symbol: "LTC/USDT" },
      { exchange: "binance", market_type: "swap", symbol: "BTC/USDT:USDT" },
    ]));
    const f = await fills(cred.user.id);
    expect(f.map((r) => [r.symbol, r.trade_id, r.order_id, r.side, c(r.price), c(r.amount), c(r.cost), r.fees, r.taker_or_maker])).toEqual([
      ["BTC/USDT:USDT", "272536245", "3524852987", "buy", "36567.1", "0.01", "365.671", [{ currency: "USDT", amount: "0.1462684" }], "taker"],
      ["LTC/USDT", "309520010", "3784695242", "sell", "69.63", "0.2", "13.926", [{ currency: "USDT", amount: "0.013926" }], "taker"],
    ]);
    const fe = await fees(cred.user.id);
    expect(fe.map((r) => [r.source_key, c(r.fee_amount), r.fee_currency, r.fee_type, r.transaction_type])).toEqual([
      ["fill:spot:LTC/USDT:309520010:USDT", "0.013926", "USDT", "TAKER", "ORDER_FILL"],
      ["fill:swap:BTC/USDT:USDT:272536245:USDT", "0.1462684", "USDT", "TAKER", "ORDER_FILL"],
      ["withdrawal:54c1b7543534543fsdfsdf6", "1", "USDT", "WITHDRAWAL", "TRANSFER"],
    ]);
    const o = await orders(cred.user.id);
    expect(o.map((r) => [r.symbol, r.order_id, r.side, r.type, r.status, c(r.price), c(r.quantity), c(r.executed_qty)])).toEqual(
      expect.arrayContaining([["LTC/USDT", "3854801792", "buy", "limit", "CANCELED", "50", "0.1", "0"]]),
    );
    const b = await balances(cred.user.id);
    expect(b.map((r) => [r.account_type, r.asset, c(r.free), c(r.locked), c(r.total)])).toEqual([
      ["spot", "ETH", "0.02229833", "0", "0.02229833"],
      ["spot", "LTC", "0.919741", "0", "0.919741"],
      ["swap", "USDT", "31.022612", "0", "31.022612"],
    ]);
    const t = await transfers(cred.user.id);
    expect(t.map((r) => [r.kind, r.transfer_id, r.asset, c(r.amount), c(r.fee), r.fee_currency, r.status])).toEqual([
      ["deposit", "4534543435", "USDT", "10", null, null, "ok"],
      ["withdrawal", "54c1b7543534543fsdfsdf6", "USDT", "9", "1", "USDT", "ok"],
    ]);
    const prices = await adminSql()`select symbol, price::text from public.market_prices where exchange = 'binance' and symbol in ('LTC/USDT', 'ETH/USDT') order by symbol`;
    expect(prices.map((r) => [r.symbol, c(r.price)])).toEqual([["ETH/USDT", "2241.05"], ["LTC/USDT", "69.63"]]);
    const cursors = await adminSql()`select market_type::text, symbol, data_kind, cursor_id from public.sync_cursors where user_id = ${cred.user.id}`;
    expect(cursors.map((r) => `${r.market_type}|${r.data_kind}|${r.symbol}|${r.cursor_id}`)).toEqual(expect.arrayContaining([
      "spot|fills|LTC/USDT|309520010",
      "swap|fills|BTC/USDT:USDT|272536245",
      "spot|orders|LTC/USDT|3854801792",
    ]));
  });

  it("USDⓈ-M funding fees (fapi income, hand-written body) → funding_payments + FUNDING fees", async () => {
    serveCases(server, "binance", [["fetchFundingHistory", "usdm funding fees"]]);
    const cred = await newCredential("binance", "bnf");
    const now = at("2023-11-16T00:00:00Z");
    const { first } = await syncTwice("binance", { ...BASE, backfillDays: 3, marketTypes: ["swap"], steps: ["funding"] }, cred, now);
    const rows = await adminSql()`select symbol, funding_id, currency, amount::text from public.funding_payments where user_id = ${cred.user.id} order by funding_id`;
    expect(rows.length).toBe(first.counts.funding);
    expect(rows.length).toBeGreaterThan(0);
    const fe = await fees(cred.user.id);
    expect(fe).toHaveLength(rows.length);
    for (const r of rows) {
      const fee = fe.find((x) => x.source_key === `funding:${r.symbol}:${r.funding_id}`)!;
      expect(fee.fee_type).toBe("FUNDING");
      expect(c(fee.fee_amount)).toBe(c(r.amount)!.startsWith("-") ? c(r.amount)!.slice(1) : `-${c(r.amount)}`);
    }
  });
});

describe("bitget (classic v2)", () => {
  it("spot + USDT-M: fills with fee signs normalised (rebate < 0), orders, balances, transfers; idempotent", async () => {
    serveCases(server, "bitget", [
      ["fetchMyTrades", "Spot trade"],
      ["fetchMyTrades", "hedge-mode liquidation fill with rebate"],
      ["fetchClosedOrders", "Spot closed order"],
      ["fetchClosedOrders", "Swap closed order reduced only"],
      ["fetchBalance", "spot balance"],
      ["fetchDeposits", "spot wallet deposit records"],
      ["fetchWithdrawals", "spot wallet withdrawal records"],
    ]);
    const cred = await newCredential("bitget", "bg");
    const now = at("2024-01-31T00:00:00Z");
    await syncTwice("bitget", {
      ...BASE, backfillDays: daysBetween("2023-11-17", now), userSymbols: ["LTC/USDT", "LTC/USDT:USDT"], balanceAccounts: ["spot"],
      steps: ["balances", "transfers", "orders", "fills"],
    }, cred, now);
    const f = await fills(cred.user.id);
    expect(f.map((r) => [r.symbol, r.trade_id, r.side, c(r.price), c(r.amount), c(r.cost), r.fees, r.is_liquidation, c(r.exchange_realized_pnl)])).toEqual([
      ["LTC/USDT", "1109431644504666114", "buy", "69.265", "0.0794", "5.499641", [{ currency: "LTC", amount: "0.0000794" }], false, null],
      ["LTC/USDT:USDT", "1115965644337209999", "sell", "61.07", "0.3", "18.321",
        [{ currency: "USDT", amount: "-0.0036642" }, { currency: "BGB", amount: "0.0001" }], true, "-3.554"],
    ]);
    const fe = await fees(cred.user.id);
    expect(fe.map((r) => [r.source_key, c(r.fee_amount), r.fee_type])).toEqual([
      ["fill:spot:LTC/USDT:1109431644504666114:LTC", "0.0000794", "TAKER"],
      ["fill:swap:LTC/USDT:USDT:1115965644337209999:BGB", "0.0001", "MAKER"],
      ["fill:swap:LTC/USDT:USDT:1115965644337209999:USDT", "-0.0036642", "MAKER"],
      ["withdrawal:1131290000000000001", "1.5", "WITHDRAWAL"],
    ]);
    const o = await orders(cred.user.id);
    expect(o.map((r) => [r.symbol, r.order_id, r.side, r.type, r.status, c(r.quantity), c(r.executed_qty), c(r.average_price)])).toEqual([
      ["LTC/USDT", "1109431644367261698", "buy", "market", "FILLED", "0.0794", "0.0794", "69.265"],
      ["LTC/USDT:USDT", "1115965643967582214", "sell", "market", "FILLED", "0.1", "0.1", "72.25"],
    ]);
    const b = await balances(cred.user.id);
    expect(b.map((r) => [r.asset, c(r.free), c(r.locked), c(r.total)])).toEqual(expect.arrayContaining([
      ["BGB", "1.15", "0", "1.15"],
      ["USDT", "17.85159289", "5.5", "23.35159289"],
      ["LTC", "0.2232616", "0", "0.2232616"],
    ]));
    const t = await transfers(cred.user.id);
    expect(t.map((r) => [r.kind, r.transfer_id, r.asset, c(r.amount), c(r.fee), r.status])).toEqual([
      ["deposit", "1131289452385005568", "USDT", "150.12345678", null, "ok"],
      ["withdrawal", "1131290000000000001", "USDT", "99.5", "1.5", "ok"],
    ]);
  });
});

describe("gate (classic)", () => {
  it("spot + USDT futures: fees in GT and points, contracts × size, maker rebate, liquidation; idempotent", async () => {
    serveCases(server, "gate", [
      ["fetchMyTrades", "spot trades paid in GT and points"],
      ["fetchMyTrades", "swap maker rebate and liquidation"],
      ["fetchClosedOrders", "spot closed orders"],
      ["fetchClosedOrders", "closed swap orders"],
      ["fetchBalance", "spot accounts"],
      ["fetchDeposits", "wallet deposits"],
      ["fetchWithdrawals", "wallet withdrawals"],
    ], [
      // with a time range (`until`) ccxt asks futures/usdt/orders_timerange: the recorded
      // futures/USDT/orders body (same order structure) is served there
      http.get("https://api.gateio.ws/api/v4/futures/usdt/orders_timerange", () =>
        HttpResponse.json(getCase("gate", "fetchClosedOrders", "closed swap orders").httpResponse as never)),
    ]);
    const cred = await newCredential("gate", "gt");
    const now = at("2025-04-22T00:00:00Z");
    await syncTwice("gate", {
      ...BASE, backfillDays: daysBetween("2024-01-22", now), userSymbols: ["LTC/USDT"], balanceAccounts: ["spot"],
      steps: ["balances", "transfers", "orders", "fills"],
    }, cred, now);
    const f = await fills(cred.user.id);
    expect(f.map((r) => [r.symbol, r.trade_id, r.side, c(r.price), c(r.amount), r.fees, r.is_liquidation])).toEqual([
      ["LTC/USDT", "7342180301", "sell", "70.12", "1.5", [{ currency: "GT", amount: "0.00412" }, { currency: "GATEPOINT", amount: "0.0315" }], false],
      ["LTC/USDT", "7342180302", "buy", "70.1", "0.0000001", [{ currency: "LTC", amount: "0.00000000014" }, { currency: "GT", amount: "0.00000003" }], false],
      ["LTC/USDT:USDT", "29768600", "buy", "68.55", "2.5", [{ currency: "USDT", amount: "-0.0085688" }], false],
      ["LTC/USDT:USDT", "29768601", "sell", "60.01", "2.5", [{ currency: "USDT", amount: "0.0750125" }], true],
    ]);
    const fe = await fees(cred.user.id);
    expect(fe.map((r) => [r.source_key, c(r.fee_amount), r.fee_currency])).toEqual(expect.arrayContaining([
      ["fill:spot:LTC/USDT:7342180301:GATEPOINT", "0.0315", "GATEPOINT"],
      ["fill:spot:LTC/USDT:7342180302:LTC", "0.00000000014", "LTC"],
      ["fill:swap:LTC/USDT:USDT:29768600:USDT", "-0.0085688", "USDT"],
      ["withdrawal:w1879219868", "0.8", "USDT"],
    ]));
    expect(fe).toHaveLength(7);
    const o = await orders(cred.user.id);
    expect(o.map((r) => [r.symbol, r.order_id, r.side, r.type, r.status])).toEqual([
      ["LTC/USDT", "497245022561", "buy", "market", "FILLED"],
      ["LTC/USDT:USDT", "402052804778", "sell", "market", "FILLED"],
    ]);
    expect(c(o[1].quantity)).toBe("0.1"); // 1 contract × 0.1 LTC
    const b = await balances(cred.user.id);
    expect(b.map((r) => [r.asset, c(r.free), c(r.locked), c(r.total)])).toEqual([
      ["GT", "0.00000001", "0", "0.00000001"],
      ["LTC", "0.0733", "0", "0.0733"],
      ["USDT", "1523.77331245", "100.5", "1624.27331245"],
    ]);
    const t = await transfers(cred.user.id);
    expect(t.map((r) => [r.kind, r.transfer_id, r.asset, c(r.amount), c(r.fee), r.status])).toEqual([
      ["deposit", "d210496", "USDT", "222.61", null, "ok"],
      ["withdrawal", "w1879219868", "USDT", "49.123456", "0.8", "ok"],
    ]);
  });
});

describe("mexc", () => {
  it("spot + contract: fills (contracts × size), orders, balances, transfers (deposit id = tx hash); idempotent", async () => {
    serveCases(server, "mexc", [
      ["fetchMyTrades", "user trade"],
      ["fetchMyTrades", "swap deals in contracts"],
      ["fetchOrders", "fetch orders"],
      ["fetchBalance", "spot account"],
      ["fetchDeposits", "deposit history"],
      ["fetchWithdrawals", "withdraw history"],
    ], [
      // not in the recorded set: an empty contract order history (hand-written, mexc's envelope)
      http.get("https://contract.mexc.com/api/v1/private/order/list/history_orders", () => HttpResponse.json({ success: true, code: 0, data: [] })),
      http.get("https://api.mexc.com/api/v1/private/order/list/history_orders", () => HttpResponse.json({ success: true, code: 0, data: [] })),
    ]);
    const cred = await newCredential("mexc", "mx");
    const now = at("2024-03-10T00:00:00Z");
    await syncTwice("mexc", {
      ...BASE, backfillDays: daysBetween("2024-01-26", now), userSymbols: ["ATLAS/USDT", "BTC/USDT:USDT"], balanceAccounts: ["spot"],
      steps: ["balances", "transfers", "orders", "fills"],
    }, cred, now);
    const f = await fills(cred.user.id);
    expect(f.map((r) => [r.symbol, r.trade_id, r.side, c(r.price), c(r.amount), c(r.cost), r.fees])).toEqual([
      ["ATLAS/USDT", "dd44f79dda764c2e927a190ac5e7a1e5", "sell", "0.004542", "1220", "5.54124", []],
      ["BTC/USDT:USDT", "299444585", "sell", "43800.5", "0.0012", "52.5606", [{ currency: "USDT", amount: "0.0105121" }]],
    ]);
    const o = await orders(cred.user.id);
    expect(o.map((r) => [r.symbol, r.order_id, r.side, r.type, r.status, c(r.quantity), c(r.executed_qty)])).toEqual([
      ["ATLAS/USDT", "C02__385413065019117569043", "sell", "market", "FILLED", "1220", "1220"],
    ]);
    const b = await balances(cred.user.id);
    expect(b.map((r) => [r.asset, c(r.free), c(r.locked), c(r.total)])).toEqual([
      ["ATLAS", "1220.55", "100", "1320.55"],
      ["MX", "3.12345678", "0.5", "3.62345678"],
      ["USDT", "0.0000001", "0", "0.0000001"],
    ]);
    const t = await transfers(cred.user.id);
    expect(t.map((r) => [r.kind, r.transfer_id, r.asset, c(r.amount), c(r.fee), r.status])).toEqual([
      ["deposit", "51a8f49e6f03f2c056e71fe3291aa65e1032880be855b65cecd0595a1b8af95b:0", "USDT", "50000.000001", null, "ok"],
      ["withdrawal", "bb17a2d452684f00a523c015d512a341", "USDT", "120.5", "3.2", "ok"],
    ]);
  });
});
