/**
 * What runs after a sync: the PnL engine processes each stream the sync wrote fills to, plus any
 * stream whose fills arrived after the engine last ran on it (a previous sync that died before
 * reaching this hook), from its own per-stream cursor; then the user's affected performance
 * metrics are refreshed. First, the candle series the user's data needs are registered.
 */
import { db } from "../db.ts";
import { pendingStreams, processUser, type StreamRef } from "../positions/process.ts";
import type { TouchedStream } from "./worker.ts";
import { streamKeyOf } from "../domain/keys.ts";
import { registerMarketSeries } from "../market/discover.ts";

export async function onFillsWritten(userId: string, touched: TouchedStream[]): Promise<void> {
  // daily candles for what the user holds or held; never in the way of the PnL below (pg_cron's
  // planning registers them too)
  await registerMarketSeries(db(), userId).catch(() => 0);
  const pending = await db().begin((tx) => pendingStreams(tx, userId));
  const all = new Map<string, StreamRef>();
  for (const s of [...touched, ...pending]) all.set(streamKeyOf(s), s);
  if (all.size === 0) return;
  await processUser(userId, [...all.values()]);
}
