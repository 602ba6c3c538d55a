/**
 * Registers the candle series a user's data needs (private.discover_market_series): called when
 * a sync or an import has written a user's fills, balances or transfers, so a new symbol's
 * backfill is due at once rather than at the next pg_cron planning run (which registers it too).
 */
import type { Sql, Tx } from "../db.ts";

export async function registerMarketSeries(sql: Sql | Tx, userId: string): Promise<number> {
  const [r] = await sql`select private.discover_market_series(${userId}::uuid) as n`;
  return Number(r.n);
}
