/**
 * The sync and the import meet: an execution first imported from an export (synthetic id) and
 * then synced through the API (real trade id) is stored once — the imported copy gives way — and
 * the sync hands the touched streams to the PnL engine (positions, trade history, engine state).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../functions/_shared/db.ts";
import { importExport } from "../../functions/_shared/imports/persist.ts";
import { onFillsWritten } from "../../functions/_shared/sync/hooks.ts";
import { syncCredential } from "../../functions/_shared/sync/index.ts";
import { type ReplayServer, startReplayServer } from "../support/ccxt/replay.ts";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { makeDeps, newCredential, serveCases } from "../unit/sync/support.ts";

let server: ReplayServer;
let pricesBefore = "0";
beforeAll(async () => {
  exportStackEnv();
  const [p] = await adminSql()`select coalesce(max(id), 0)::text as id from public.market_prices`;
  pricesBefore = p.id;
  server = startReplayServer();
});
afterAll(async () => {
  await adminSql()`delete from public.market_prices where id > ${pricesBefore}`;
  server.close();
  await closeDb();
  await closePools();
});

describe("an export, then the API sync of the same executions", () => {
  it("keeps one copy (the API's), and the engine processes the touched streams", async () => {
    const cred = await newCredential("binance", "twin");
    // The trader bought 0.5 LTC (export only: older than the API window), then sold 0.2 at
    // 69.63 — an execution the export and the API both report (ccxt's recorded "Spot private trade").
    const csv = [
      "Date(UTC),Pair,Side,Price,Executed,Amount,Fee",
      "2023-10-24 09:16:32,LTCUSDT,SELL,69.63,0.20000000LTC,13.92600000USDT,0.01392600USDT",
      "2023-10-20 08:00:00,LTCUSDT,BUY,65.00,0.50000000LTC,32.50000000USDT,0.03250000USDT",
    ].join("\n");
    const imported = await importExport({ userId: cred.user.id, text: csv, exchange: "binance", kind: "spot-trades" });
    expect(imported.ok).toBe(true);
    const before = await adminSql()`select source, trade_id from public.fills where user_id = ${cred.user.id} order by executed_at`;
    expect(before.map((r) => r.source)).toEqual(["import", "import"]);

    serveCases(server, "binance", [["fetchMyTrades", "Spot private trade"]]);
    const deps = makeDeps("binance", {
      now: () => Date.parse("2023-10-25T00:00:00Z"),
      options: { backfillDays: 2, discover: false, userSymbols: ["LTC/USDT"], steps: ["fills"] },
      onFillsWritten,
    });
    const run = await syncCredential(deps, { userId: cred.user.id, credentialId: cred.credentialId });
    expect(run.status, JSON.stringify(run.errors)).toBe("succeeded");

    const after = await adminSql()`select source, trade_id, trim_scale(amount)::text as amount from public.fills where user_id = ${cred.user.id} order by executed_at`;
    expect(after.map((r) => [r.source, r.trade_id])).toEqual([["import", expect.stringMatching(/^imp:/)], ["api", "309520010"]]);
    // The engine ran on the stream: one partial exit of the 0.5 LTC bought (0.3 left open).
    const th = await adminSql()`select exit_type, trim_scale(exit_quantity)::text as q, trim_scale(gross_pnl)::text as gross from public.trade_history where user_id = ${cred.user.id}`;
    expect(th).toEqual([{ exit_type: "PARTIAL", q: "0.2", gross: "0.926" }]); // (69.63 − 65.00) × 0.2
    const [state] = await adminSql()`select fills_processed::int as n from public.pnl_stream_state where user_id = ${cred.user.id}`;
    expect(state.n).toBe(2);
  });
});
