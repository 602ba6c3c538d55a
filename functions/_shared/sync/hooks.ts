/**
 * What runs after a sync wrote new fills. The PnL engine plugs in here (the lead wires it):
 * `touched` lists each (exchange, market type, symbol) stream that received new fills; the
 * engine processes them from its own per-stream cursor. Default: nothing.
 */
import type { TouchedStream } from "./worker.ts";

export async function onFillsWritten(_userId: string, _touched: TouchedStream[]): Promise<void> {
  // no-op until the PnL engine is plugged in
}
