/**
 * Convention m′ (functions/_shared/pnl/engine.ts): max adverse excursion from daily candles —
 * full UTC days of the hold only, the day's low for a long / high for a short, the lesser of that
 * and the engine's max_drawdown; a swap without its own candles uses its spot twin.
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools } from "../support/db.ts";
import { createUser } from "../support/users.ts";

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const SYM = "MAEX/USDT";

afterAll(async () => {
  await adminSql()`delete from public.market_candles where symbol like 'MAEX/%'`;
  await closePools();
});

describe("candle adverse excursion", () => {
  it("uses the lows (long) and highs (short) of the full days of the hold", async () => {
    // Candles 2026-03-01 … 03-04 (open, high, low, close); hand-made values for the arithmetic.
    await adminSql()`insert into public.market_candles (exchange, symbol, timeframe, open_time, open, high, low, close, volume) values
      ('binance', ${SYM}, '1d', '2026-03-01', 100, 104, 90, 101, 1),
      ('binance', ${SYM}, '1d', '2026-03-02', 101, 120, 95, 110, 1),
      ('binance', ${SYM}, '1d', '2026-03-03', 110, 111, 80, 85, 1),
      ('binance', ${SYM}, '1d', '2026-03-04', 85, 130, 84, 129, 1)`;
    const u = await createUser("mae");
    const stranger = await createUser("mae-stranger");
    await adminSql()`insert into public.trade_history (user_id, exchange, market_type, symbol, side, entry_price, entry_time, entry_quantity,
                       exit_price, exit_time, exit_quantity, exit_type, gross_pnl, net_pnl, hold_duration, close_key, max_drawdown)
      values
      -- long 2 @ 100 from 03-01 12:00 to 03-04 06:00: full days 03-02, 03-03 → lows 95, 80 → (80 − 100) × 2 = −40
      (${u.id}, 'binance', 'spot', ${SYM}, 'LONG', 100, '2026-03-01T12:00:00Z', 2, 120, '2026-03-04T06:00:00Z', 2, 'MANUAL', 40, 40, '66 hours', 'l1', -6),
      -- short 1 @ 100 over the whole of 03-01 … 03-02: highs 104, 120 → (100 − 120) × 1 = −20; engine saw −25 (worse)
      (${u.id}, 'binance', 'spot', ${SYM}, 'SHORT', 100, '2026-03-01T00:00:00Z', 1, 110, '2026-03-03T00:00:00Z', 1, 'SL', -10, -10, '48 hours', 's1', -25),
      -- within one day: no full day → only the engine's value
      (${u.id}, 'binance', 'spot', ${SYM}, 'LONG', 100, '2026-03-02T01:00:00Z', 1, 105, '2026-03-02T23:00:00Z', 1, 'TP', 5, 5, '22 hours', 'l2', null),
      -- a swap without its own candles: the spot twin's (03-03 low 80 → (80 − 100) × 3 = −60)
      (${u.id}, 'binance', 'swap', 'MAEX/USDT:USDT', 'LONG', 100, '2026-03-03T00:00:00Z', 3, 101, '2026-03-04T00:00:00Z', 3, 'MANUAL', 3, 3, '24 hours', 'w1', null)`;
    const rows = await asUser(u, (tx) => tx`select symbol, side, candle_days, candle_excursion, max_drawdown, max_adverse_excursion
                                             from public.trade_history_excursions order by entry_time, symbol`);
    expect(rows.map((r) => [r.symbol, r.side, r.candle_days, n(r.candle_excursion), n(r.max_drawdown), n(r.max_adverse_excursion)])).toEqual([
      [SYM, "SHORT", 2, -20, -25, -25],
      [SYM, "LONG", 2, -40, -6, -40],
      [SYM, "LONG", 0, null, null, null],
      ["MAEX/USDT:USDT", "LONG", 1, -60, null, -60],
    ]);
    expect(await asUser(stranger, (tx) => tx`select * from public.trade_history_excursions`)).toEqual([]);

    // An open long of 1.5 @ 100 since 03-02: full days 03-02 … 03-04 → lowest low 80 → −30.
    await adminSql()`insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, opened_at)
                     values (${u.id}, 'binance', 'spot', ${SYM}, 'LONG', 100, 1.5, 150, 'OPEN', '2026-03-02T00:00:00Z')`;
    const [open] = await asUser(u, (tx) => tx`select candle_days, candle_excursion from public.position_excursions where symbol = ${SYM}`);
    expect([open.candle_days, n(open.candle_excursion)]).toEqual([3, -30]);
  });
});
