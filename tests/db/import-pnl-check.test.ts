/**
 * The exchange's realized PnL beside the engine's, per symbol, after an import (`pnl_check`):
 * over the real USDⓈ-M export (tests/fixtures/imports/binance-futures-trades-uid.csv) every fill
 * opens or adds to a position the file never shows being opened, so the engine has closed nothing
 * and the whole exchange figure shows up as the difference; over the sample account's futures
 * history (generated, tests/fixtures/sample-account) the engine's gross PnL is the exchange's
 * per symbol, exactly.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../functions/_shared/db.ts";
import { Decimal } from "../../functions/_shared/decimal.ts";
import { importExport } from "../../functions/_shared/imports/persist.ts";
import { closePools } from "../support/db.ts";
import { exportStackEnv, ROOT } from "../support/env.ts";
import { createUser } from "../support/users.ts";

beforeAll(() => exportStackEnv());
afterAll(async () => {
  await closeDb();
  await closePools();
});

describe("pnl_check", () => {
  it("a file of opening fills: the exchange's figures, none of the engine's, the difference named", async () => {
    const u = await createUser("pnl-check-real");
    const file = "binance-futures-trades-uid.csv";
    const r = await importExport({ userId: u.id, text: readFileSync(resolve(ROOT, "tests/fixtures/imports", file), "utf8"), fileName: file });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.pnl_check.map((c) => [c.symbol, c.fills, c.exchange_pnl, c.engine_gross, c.difference])).toEqual([
      ["BTC/USDC:USDC", 1, "0.28699999", "0", "-0.28699999"],
      ["BTC/USDT:USDT", 1, "97.84870666", "0", "-97.84870666"],
      ["COMP/USDT:USDT", 1, "-4.43848", "0", "4.43848"],
    ]);
  });

  it("a complete history: the engine's gross PnL per symbol is the exchange's", async () => {
    const u = await createUser("pnl-check-sample");
    const file = "binance-futures-trades.csv";
    const r = await importExport({ userId: u.id, text: readFileSync(resolve(ROOT, "tests/fixtures/sample-account", file), "utf8"), fileName: file });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.pnl_check.length).toBeGreaterThan(0);
    for (const c of r.pnl_check) {
      expect(c.difference, `${c.symbol}: engine ${c.engine_gross} vs exchange ${c.exchange_pnl}`).toBe("0");
      expect(new Decimal(c.engine_net).lt(c.engine_gross), `${c.symbol}: net is after fees`).toBe(true);
    }
  });
});
