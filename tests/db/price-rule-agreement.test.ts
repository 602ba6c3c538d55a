/**
 * One price rule (issue 16): the stored positions.unrealized_pnl (pg_cron job, via
 * private.symbol_price_at) equals what open_positions / positions_with_pnl compute at read time,
 * for every open position, in each case the rule covers: only daily closes stored, an old ticker
 * beside newer daily closes, the spot twin of a swap, another exchange, no price at all, and an
 * unknown cost basis. Before the fix the views read kind = 'last' on the same exchange only and
 * disagreed with the column in all but one of these rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asService, asUser, closePools, trackMarketPrices } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

let cleanPrices: () => Promise<void> = async () => {};
let user: TestUser;

beforeAll(async () => {
  cleanPrices = await trackMarketPrices();
  user = await createUser("price-rule");
  const sql = adminSql();
  // Symbols unique to this file, so that other suites' prices cannot change the answers.
  await sql`insert into public.market_prices (exchange, symbol, kind, price, as_of) values
    ('binance', 'AGRA/USDT', 'close_1d', 118, date_trunc('day', now()) - interval '3 days'),
    ('binance', 'AGRA/USDT', 'close_1d', 120, date_trunc('day', now()) - interval '2 days'),
    ('binance', 'AGRB/USDT', 'last', 300, '2023-06-01T12:00:00Z'),
    ('binance', 'AGRB/USDT', 'close_1d', 745, date_trunc('day', now()) - interval '2 days'),
    ('binance', 'AGRC/USDT', 'last', 4, now() - interval '1 minute'),
    ('bitget', 'AGRD/USDT', 'last', 11, now() - interval '5 minutes'),
    ('binance', 'AGRF/USDT', 'last', 2, now() - interval '1 minute')`;
  await sql`insert into public.positions (user_id, exchange, market_type, symbol, side, entry_price, quantity, total_cost, status, closed_at) values
    (${user.id}, 'binance', 'spot', 'AGRA/USDT', 'LONG', 100, 2, 200, 'OPEN', null),
    (${user.id}, 'binance', 'spot', 'AGRB/USDT', 'LONG', 700, 1, 700, 'OPEN', null),
    (${user.id}, 'binance', 'swap', 'AGRC/USDT:USDT', 'SHORT', 5, 10, 50, 'OPEN', null),
    (${user.id}, 'gateio', 'spot', 'AGRD/USDT', 'LONG', 10, 3, 30, 'OPEN', null),
    (${user.id}, 'binance', 'spot', 'AGRE/USDT', 'LONG', 1, 1, 1, 'OPEN', null),
    (${user.id}, 'binance', 'spot', 'AGRF/USDT', 'LONG', 0, 1, 0, 'OPEN', null),
    (${user.id}, 'mexc', 'spot', 'AGRA/USDT', 'LONG', 50, 0, 0, 'CLOSED', now())`;
});

afterAll(async () => {
  await cleanPrices();
  await closePools();
});

describe("one price rule", () => {
  it("the stored column equals the views for every open position, in every case of the rule", async () => {
    await asService((tx) => tx`select private.update_unrealized_pnl()`);
    const stored = await adminSql()`
      select id::text, symbol, unrealized_pnl::text as pnl, unrealized_pnl_percentage::text as pct
        from public.positions where user_id = ${user.id} and status = 'OPEN' order by symbol`;
    const [view, wide] = await asUser(user, async (tx) => [
      await tx`select id::text, symbol, current_price::text as price, unrealized_pnl::text as pnl,
                      unrealized_pnl_percentage::text as pct from public.open_positions order by symbol`,
      await tx`select id::text, unrealized_pnl::text as pnl, unrealized_pnl_percentage::text as pct
                 from public.positions_with_pnl where status = 'OPEN' order by symbol`,
    ]);
    expect(stored.map((r) => [r.id, r.pnl, r.pct])).toEqual(view.map((r) => [r.id, r.pnl, r.pct]));
    expect(wide.map((r) => [r.id, r.pnl, r.pct])).toEqual(view.map((r) => [r.id, r.pnl, r.pct]));
    const num = (v: string | null) => (v === null ? null : Number(v));
    expect(view.map((r) => [r.symbol, num(r.price), num(r.pnl), num(r.pct)])).toEqual([
      ["AGRA/USDT", 120, 40, 20], // only daily closes: the latest one, (120 − 100) × 2
      ["AGRB/USDT", 745, 45, 6.42857143], // the 2026 close, not the 2023 ticker (300)
      ["AGRC/USDT:USDT", 4, 10, 20], // swap priced by its spot twin: SHORT (5 − 4) × 10
      ["AGRD/USDT", 11, 3, 10], // no gateio price: bitget's
      ["AGRE/USDT", null, null, null], // unpriced: NULL in both, never 0
      ["AGRF/USDT", 2, 2, null], // unknown cost basis: no percentage
    ]);
  });

  it("api-side total and count of unpriced positions follow from the same rows", async () => {
    const [row] = await asUser(user, (tx) => tx`
      select sum(unrealized_pnl)::text as total, count(*) filter (where current_price is null)::int as unpriced
        from public.open_positions`);
    const [col] = await adminSql()`select sum(unrealized_pnl)::text as total from public.positions
                                    where user_id = ${user.id} and status = 'OPEN'`;
    expect(Number(row.total)).toBe(100);
    expect(row.total).toBe(col.total);
    expect(row.unpriced).toBe(1);
  });

  it("a closed position has no price in the view", async () => {
    const rows = await asUser(user, (tx) => tx`select current_price, unrealized_pnl from public.positions_with_pnl where status = 'CLOSED'`);
    expect(rows).toEqual([{ current_price: null, unrealized_pnl: null }]);
  });
});
