/**
 * What runs after a sync wrote new fills: the PnL engine processes each touched stream
 * (exchange, market type, symbol) from its own per-stream cursor, then the user's affected
 * performance metrics are refreshed.
 */
import { processUser } from "../positions/process.ts";
import type { TouchedStream } from "./worker.ts";

export async function onFillsWritten(userId: string, touched: TouchedStream[]): Promise<void> {
  if (touched.length === 0) return;
  await processUser(userId, touched);
}
