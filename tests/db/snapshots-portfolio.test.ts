/**
 * Daily portfolio snapshots (private.take_portfolio_snapshots) and the reconstruction of
 * history (private.reconstruct_portfolio_history), with values computed by hand in comments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asService, closePools, trackMarketPrices } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

// market_prices is shared: remove what this file writes (tracked before its own set-up runs).
let cleanPrices: () => Promise<void> = async () => {};
beforeAll(async () => { cleanPrices = await trackMarketPrices(); });


const sql = () => adminSql();
afterAll(closePools);

/** Numeric columns come back as strings: compare as numbers (exact for these decimals). */
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function price(exchange: string, symbol: string, kind: "last" | "close_1d", p: string, asOf: string) {
  await sql()`insert into public.market_prices (exchange, symbol, kind, price, as_of)
              values (${exchange}, ${symbol}, ${kind}, ${p}, ${asOf})
              on conflict (exchange, symbol, kind, as_of) do update set price = excluded.price`;
}

async function balance(u: TestUser, exchange: string, account: string, asset: string, total: string, locked: string, asOf: string) {
  const free = (Number(total) - Number(locked)).toString();
  await sql()`insert into public.balances (user_id, exchange, account_type, asset, free, locked, total, as_of)
              values (${u.id}, ${exchange}, ${account}, ${asset}, ${free}, ${locked}, ${total}, ${asOf})
              on conflict (user_id, exchange, account_type, asset)
              do update set free = excluded.free, locked = excluded.locked, total = excluded.total, as_of = excluded.as_of`;
}

interface Trade {
  exchange?: string; market?: "spot" | "swap"; symbol: string; side?: "LONG" | "SHORT";
  entry: string; exit: string; qty: string; gross: string; net: string; entryFees: string; exitFees: string;
  entryTime: string; exitTime: string; unconverted?: unknown[];
}
let closeSeq = 0;
async function trade(u: TestUser, t: Trade) {
  await sql()`insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time,
                entry_quantity, entry_fees, exit_price, exit_time, exit_quantity, exit_fees, exit_type, gross_pnl, net_pnl,
                hold_duration, close_key, fees_unconverted)
              values (${u.id}, ${t.exchange ?? "binance"}, ${t.market ?? "spot"}, ${t.symbol}, ${t.side ?? "LONG"}, ${t.entry},
                ${t.entryTime}, ${t.qty}, ${t.entryFees}, ${t.exit}, ${t.exitTime}, ${t.qty}, ${t.exitFees}, 'MANUAL',
                ${t.gross}, ${t.net}, ${t.exitTime}::timestamptz - ${t.entryTime}::timestamptz, ${"k" + ++closeSeq},
                ${sql().json((t.unconverted ?? []) as never)})`;
}

describe("take_portfolio_snapshots", () => {
  let alice: TestUser;
  const day = "2026-11-20";

  beforeAll(async () => {
    alice = await createUser("snap-alice");
    // Prices at the end of 2026-11-20 (T = 2026-11-21 00:00 UTC); later prices must not be used.
    await price("binance", "BTC/USDT", "last", "50000", "2026-11-20T23:59:00Z");
    await price("binance", "BTC/USDT", "last", "51000", "2026-11-21T10:00:00Z");
    await price("binance", "BTC/USDT:USDT", "last", "50100", "2026-11-20T23:59:00Z");
    await price("binance", "BNB/USDT", "last", "600", "2026-11-20T23:30:00Z");
    // ETH has no price anywhere (unpriced); USDC has none either (stablecoin → 1).
    const asOf = "2026-11-20T23:00:00Z"; // before T: nothing to roll back
    await balance(alice, "binance", "spot", "USDT", "1000", "100", asOf);
    await balance(alice, "binance", "spot", "BTC", "0.1", "0", asOf);
    await balance(alice, "binance", "spot", "BNB", "0.5", "0", asOf); // after a 0.001 BNB fee
    await balance(alice, "binance", "spot", "ETH", "2", "0", asOf);
    await balance(alice, "binance", "spot", "USDC", "250", "0", asOf);
    await balance(alice, "binance", "swap", "USDT", "2000", "500", asOf); // margin balance (incl. unrealized)
    await balance(alice, "gateio", "spot", "USDT", "100", "0", asOf);
    // Open short on the swap (entry fee paid in BNB, converted by the engine: 1.56 USDT) and the
    // spot long behind the BTC balance.
    await sql()`insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost,
                  fees_paid, opened_at)
                values (${alice.id}, 'binance', 'swap', 'BTC/USDT:USDT', 'SHORT', 52000, 0.05, 2600, 1.56, '2026-11-19T10:00:00Z'),
                       (${alice.id}, 'binance', 'spot', 'BTC/USDT', 'LONG', 45000, 0.1, 4500, 4.5, '2026-11-18T10:00:00Z')`;
    // Closed trades: one win, one loss with a BNB fee the engine could not convert, one after T.
    await trade(alice, { symbol: "BTC/USDT", entry: "45000", exit: "46100", qty: "0.1", gross: "110", net: "100",
      entryFees: "4", exitFees: "6", entryTime: "2026-11-18T10:00:00Z", exitTime: "2026-11-19T12:00:00Z" });
    await trade(alice, { market: "swap", symbol: "BTC/USDT:USDT", side: "SHORT", entry: "50000", exit: "50400", qty: "0.1",
      gross: "-40", net: "-50", entryFees: "5", exitFees: "5", entryTime: "2026-11-20T01:00:00Z",
      exitTime: "2026-11-20T08:00:00Z", unconverted: [{ currency: "BNB", amount: "0.002" }] });
    await trade(alice, { symbol: "BTC/USDT", entry: "45000", exit: "55000", qty: "0.1", gross: "1000", net: "999",
      entryFees: "0.5", exitFees: "0.5", entryTime: "2026-11-20T10:00:00Z", exitTime: "2026-11-21T01:00:00Z" });
    // Flows of the day: +500 USDC deposit, −(0.01 + 0.0005 fee) BTC withdrawal; a pending deposit is ignored.
    await sql()`insert into public.transfers (user_id, exchange, kind, transfer_id, asset, amount, fee, fee_currency, status, occurred_at)
                values (${alice.id}, 'binance', 'deposit', 'd1', 'USDC', 500, null, null, 'ok', '2026-11-20T10:00:00Z'),
                       (${alice.id}, 'binance', 'withdrawal', 'w1', 'BTC', 0.01, 0.0005, 'BTC', 'ok', '2026-11-20T11:00:00Z'),
                       (${alice.id}, 'binance', 'deposit', 'd2', 'USDT', 999, null, null, 'pending', '2026-11-20T12:00:00Z')`;
  });

  it("values spot balances, the open short and the BNB fee; one row per exchange plus the total", async () => {
    const written = await asService((tx) => tx`select private.take_portfolio_snapshots(${day}::date, ${alice.id}::uuid) as n`);
    expect(written[0].n).toBe(3); // binance, gateio, all exchanges

    const rows = await sql()`select * from public.portfolio_snapshots where user_id = ${alice.id} and snapshot_date = ${day}
                             order by exchange nulls last`;
    expect(rows.map((r) => r.exchange)).toEqual(["binance", "gateio", null]);
    const [bin, gate, all] = rows;

    // 1000 USDT + 0.1 BTC × 50000 + 0.5 BNB × 600 + 250 USDC × 1 + 2000 USDT (swap) = 8550; ETH unpriced.
    expect(n(bin.total_balance)).toBe(8550);
    // locked: min(100, 1000) + min(500, 2000) = 600 USDT; available 8550 − 600 = 7950.
    expect(n(bin.locked_balance)).toBe(600);
    expect(n(bin.available_balance)).toBe(7950);
    expect(bin.unpriced_assets).toEqual([{ exchange: "binance", asset: "ETH", amount: 2, kind: "balance" }]);
    // Short: (52000 − 50100) × 0.05 = 95; long: (50000 − 45000) × 0.1 = 500 → 595.
    expect(n(bin.unrealized_pnl)).toBe(595);
    // Notional: 0.05 × 50100 + 0.1 × 50000 = 2505 + 5000.
    expect(n(bin.total_positions_value)).toBe(7505);
    expect(bin.open_positions_count).toBe(2);
    // Closed before T: +100 and −50 (the 999 trade closed after T).
    expect(n(bin.total_realized_pnl)).toBe(50);
    expect([bin.total_trades_count, bin.winning_trades_count, bin.losing_trades_count]).toEqual([2, 1, 1]);
    expect(n(bin.win_rate)).toBe(50);
    expect(n(bin.average_trade_pnl)).toBe(25);
    expect(n(bin.largest_win)).toBe(100);
    expect(n(bin.largest_loss)).toBe(-50);
    // Fees: closed 10 + 10, open entry fees 1.56 + 4.5, unconverted 0.002 BNB × 600 = 1.2 → 27.26.
    expect(n(bin.total_fees_paid)).toBe(27.26);
    // Flows: +500 USDC × 1 − (0.01 + 0.0005) BTC × 50000 = 500 − 525 = −25.
    expect(n(bin.net_flows)).toBe(-25);
    expect(bin.is_reconstructed).toBe(false);

    expect(n(gate.total_balance)).toBe(100);
    expect(gate.total_trades_count).toBe(0);
    expect(gate.win_rate).toBeNull(); // no trades: undefined, not 0
    expect(gate.average_trade_pnl).toBeNull();
    expect(gate.largest_win).toBeNull();
    expect(gate.largest_loss).toBeNull();

    expect(n(all.total_balance)).toBe(8650);
    expect(n(all.unrealized_pnl)).toBe(595);
    expect(n(all.total_realized_pnl)).toBe(50);
    expect(n(all.win_rate)).toBe(50);
    expect(n(all.net_flows)).toBe(-25);
    expect(all.unpriced_assets).toEqual(bin.unpriced_assets);
  });

  it("is idempotent: re-running the day replaces its rows", async () => {
    const before = await sql()`select id, total_balance from public.portfolio_snapshots where user_id = ${alice.id} and snapshot_date = ${day} order by id`;
    await balance(alice, "gateio", "spot", "USDT", "150", "0", "2026-11-20T23:00:00Z");
    await asService((tx) => tx`select private.take_portfolio_snapshots(${day}::date, ${alice.id}::uuid)`);
    const after = await sql()`select id, exchange, total_balance from public.portfolio_snapshots where user_id = ${alice.id} and snapshot_date = ${day} order by id`;
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id)); // updated in place
    expect(n(after.find((r) => r.exchange === "gateio")!.total_balance)).toBe(150);
    expect(n(after.find((r) => r.exchange === null)!.total_balance)).toBe(8700);
  });

  it("refuses a day that has not ended", async () => {
    await expect(asService((tx) => tx`select private.take_portfolio_snapshots((now() at time zone 'utc')::date)`))
      .rejects.toThrow(/has not ended/);
  });
});

describe("reconstruct_portfolio_history", () => {
  let bob: TestUser;
  // D1 = 11-20: 1000 USDT, 0.1 BNB. D2 = 11-21: buy 0.01 BTC @ 50000 (fee 0.5 USDT), deposit
  // 200 USDT. D3 = 11-22: sell 0.005 BTC @ 52000 (fee 0.001 BNB). Daily closes below.
  beforeAll(async () => {
    bob = await createUser("snap-bob");
    for (const [d, btc, bnb] of [["2026-11-20", "49000", "600"], ["2026-11-21", "51000", "610"], ["2026-11-22", "53000", "620"]]) {
      await price("mexc", "BTC/USDT", "close_1d", btc, `${d}T00:00:00Z`);
      await price("mexc", "BNB/USDT", "close_1d", bnb, `${d}T00:00:00Z`);
    }
    await sql()`insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, fees, executed_at)
                values (${bob.id}, 'mexc', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'f1', 'buy', 50000, 0.01, 500,
                        '[{"currency":"USDT","amount":"0.5"}]', '2026-11-21T10:00:00Z')`;
    await sql()`insert into public.transfers (user_id, exchange, kind, transfer_id, asset, amount, status, occurred_at)
                values (${bob.id}, 'mexc', 'deposit', 'dep1', 'USDT', 200, 'ok', '2026-11-21T15:00:00Z')`;
    // The state at the end of D2, as the sync saw it then.
    const asOf = "2026-11-21T20:00:00Z";
    await balance(bob, "mexc", "spot", "USDT", "699.5", "0", asOf);
    await balance(bob, "mexc", "spot", "BTC", "0.01", "0", asOf);
    await balance(bob, "mexc", "spot", "BNB", "0.1", "0", asOf);
  });

  it("matches the real snapshot on a day where both exist, and never overwrites it", async () => {
    // Real snapshot of D2: 699.5 + 0.01 × 51000 + 0.1 × 610 = 699.5 + 510 + 61 = 1270.5.
    await asService((tx) => tx`select private.take_portfolio_snapshots('2026-11-21', ${bob.id}::uuid)`);
    const [real] = await sql()`select * from public.portfolio_snapshots where user_id = ${bob.id} and snapshot_date = '2026-11-21' and exchange is null`;
    expect(n(real.total_balance)).toBe(1270.5);
    expect(n(real.net_flows)).toBe(200);

    // D3 happens: sell 0.005 BTC @ 52000, fee 0.001 BNB; the sync refreshes balances at D3 12:00.
    await sql()`insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, fees, executed_at)
                values (${bob.id}, 'mexc', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'f2', 'sell', 52000, 0.005, 260,
                        '[{"currency":"BNB","amount":"0.001"}]', '2026-11-22T09:00:00Z')`;
    // Closed part: (52000 − 50000) × 0.005 = 10 gross; fees 0.25 + 0.62 → net 9.13.
    await trade(bob, { exchange: "mexc", symbol: "BTC/USDT", entry: "50000", exit: "52000", qty: "0.005", gross: "10",
      net: "9.13", entryFees: "0.25", exitFees: "0.62", entryTime: "2026-11-21T10:00:00Z", exitTime: "2026-11-22T09:00:00Z" });
    const asOf = "2026-11-22T12:00:00Z";
    await balance(bob, "mexc", "spot", "USDT", "959.5", "0", asOf); // 699.5 + 260
    await balance(bob, "mexc", "spot", "BTC", "0.005", "0", asOf);
    await balance(bob, "mexc", "spot", "BNB", "0.099", "0", asOf);

    const [{ n: written }] = await asService((tx) =>
      tx`select private.reconstruct_portfolio_history(${bob.id}::uuid, '2026-11-20', '2026-11-22') as n`);
    expect(written).toBe(4); // D1 and D3 × (mexc + total); D2 is real and kept
    const rows = await sql()`select snapshot_date::text as d, total_balance, net_flows, total_realized_pnl, is_reconstructed, id
                             from public.portfolio_snapshots where user_id = ${bob.id} and exchange is null order by snapshot_date`;
    expect(rows.map((r) => [r.d, n(r.total_balance), r.is_reconstructed])).toEqual([
      ["2026-11-20", 1060, true], // 1000 USDT + 0.1 BNB × 600 (rolled back over D2 and D3)
      ["2026-11-21", 1270.5, false], // the real snapshot, untouched
      ["2026-11-22", 1285.88, true], // 959.5 + 0.005 × 53000 + 0.099 × 620 = 959.5 + 265 + 61.38
    ]);
    expect(rows[1].id).toBe(real.id);
    expect(n(rows[2].total_realized_pnl)).toBe(9.13);

    // The reconstruction's own computation of D2 (rolled back from the D3 balances over the D3
    // fill) equals the real snapshot, column by column.
    const [rec] = await asService((tx) =>
      tx`select * from private.portfolio_state('2026-11-21', '2026-11-21', ${bob.id}::uuid, true) where exchange is null`);
    for (const col of ["total_balance", "total_realized_pnl", "net_flows", "unrealized_pnl", "total_fees_paid"] as const) {
      expect([col, n(rec[col])]).toEqual([col, n(real[col])]);
    }
    expect(rec.total_trades_count).toBe(real.total_trades_count);
  });

  it("anchors an exchange with history but no reported balance (CSV import) at zero", async () => {
    const csv = await createUser("snap-csv");
    // D1: deposit 1000 USDT. D2: buy 0.01 BTC @ 50000, fee 0.5 USDT. No balances row at all.
    await sql()`insert into public.transfers (user_id, exchange, kind, transfer_id, asset, amount, status, occurred_at)
                values (${csv.id}, 'mexc', 'deposit', 'c1', 'USDT', 1000, 'ok', '2026-11-20T10:00:00Z')`;
    await sql()`insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, side, price, amount, cost, fees, executed_at)
                values (${csv.id}, 'mexc', 'spot', 'BTC/USDT', 'BTC', 'USDT', 'c-f1', 'buy', 50000, 0.01, 500,
                        '[{"currency":"USDT","amount":"0.5"}]', '2026-11-21T10:00:00Z')`;
    await asService((tx) => tx`select private.reconstruct_portfolio_history(${csv.id}::uuid, '2026-11-19', '2026-11-22')`);
    const rows = await sql()`select snapshot_date::text as d, total_balance, net_flows from public.portfolio_snapshots
                             where user_id = ${csv.id} and exchange is null order by snapshot_date`;
    expect(rows.map((r) => [r.d, n(r.total_balance), n(r.net_flows)])).toEqual([
      ["2026-11-19", 0, 0], // before the first event
      ["2026-11-20", 1000, 1000], // the deposit
      ["2026-11-21", 1009.5, 0], // 499.5 USDT + 0.01 BTC × 51000
      ["2026-11-22", 1029.5, 0], // 499.5 + 0.01 × 53000
    ]);
  });

  it("rejects bad ranges and skips days that have not ended", async () => {
    await expect(asService((tx) => tx`select private.reconstruct_portfolio_history(${bob.id}::uuid, '2026-11-22', '2026-11-20')`))
      .rejects.toThrow(/invalid range/);
    const [{ n: none }] = await asService((tx) =>
      tx`select private.reconstruct_portfolio_history(${bob.id}::uuid, (now() at time zone 'utc')::date, (now() at time zone 'utc')::date) as n`);
    expect(none).toBe(0);
  });
});

describe("open positions on past days take the day's price, as balances do", () => {
  // A swap long opened on 11-10, still open. gateio has the swap's daily closes for 11-10 and
  // 11-11 only; bitget has the symbol's close for 11-12. Nothing anywhere for 11-13.
  let carol: TestUser;
  beforeAll(async () => {
    carol = await createUser("snap-carol");
    await price("gateio", "SOL/USDT:USDT", "close_1d", "200", "2026-11-10T00:00:00Z");
    await price("gateio", "SOL/USDT:USDT", "close_1d", "210", "2026-11-11T00:00:00Z");
    await price("bitget", "SOL/USDT:USDT", "close_1d", "190", "2026-11-12T00:00:00Z");
    await sql()`insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, fees_paid, opened_at)
                values (${carol.id}, 'gateio', 'swap', 'SOL/USDT:USDT', 'LONG', 205, 2, 410, 0, '2026-11-10T08:00:00Z')`;
  });

  it("values a day with a close, falls back to another exchange's fresh close, and leaves a day without one unpriced", async () => {
    const rows = await asService((tx) =>
      tx`select snapshot_date::text as d, unrealized_pnl, total_positions_value, unpriced_assets
           from private.portfolio_state('2026-11-11', '2026-11-13', ${carol.id}::uuid, true)
          where exchange = 'gateio' order by snapshot_date`);
    expect(rows.map((r) => [r.d, n(r.unrealized_pnl), n(r.total_positions_value)])).toEqual([
      ["2026-11-11", 10, 420], // gateio's 11-11 close: (210 − 205) × 2; notional 2 × 210
      // gateio's latest close (11-11) is a day old: its own exchange is stale, so bitget's
      // 11-12 close is taken: (190 − 205) × 2 = −30 (before: the stale 210 gave +10)
      ["2026-11-12", -30, 380],
      ["2026-11-13", 0, 0], // no close of 11-13 anywhere: unpriced, listed, not valued at 190
    ]);
    expect(rows[2].unpriced_assets).toEqual([{ exchange: "gateio", asset: "SOL/USDT:USDT", amount: 2, kind: "position" }]);
    expect(rows[0].unpriced_assets).toEqual([]);
  });

  it("while the live rule (views, api/positions/open, the every-minute job) still shows the latest price with its age", async () => {
    const [live] = await asService((tx) =>
      tx`select price, priced_at, price_exchange::text as ex from private.symbol_price_point_at('gateio', 'SOL/USDT:USDT', '2026-11-14T00:00:00Z')`);
    expect([n(live.price), live.ex, new Date(live.priced_at).toISOString()]).toEqual([210, "gateio", "2026-11-12T00:00:00.000Z"]);
    const [day] = await asService((tx) => tx`select private.symbol_price_at('gateio', 'SOL/USDT:USDT', '2026-11-14T00:00:00Z') as p`);
    expect(day.p).toBeNull();
  });
});

// Registered last, so it runs before the file's other after-hooks close the pools.
afterAll(async () => { await cleanPrices(); });
