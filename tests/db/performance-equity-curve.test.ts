/**
 * public.equity_curve: the caller's daily points only (security invoker under RLS), the TWR
 * index, the exchange filter, and who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asService, asUser, closePools } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

const sql = () => adminSql();
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
afterAll(closePools);

async function snapshot(u: TestUser, date: string, equity: number, flows = 0, exchange: string | null = null, reconstructed = false) {
  await sql()`insert into public.portfolio_snapshots (user_id, exchange, snapshot_date, total_balance, available_balance,
                locked_balance, net_flows, total_realized_pnl, unrealized_pnl, is_reconstructed)
              values (${u.id}, ${exchange}, ${date}, ${equity}, ${equity}, 0, ${flows}, ${equity - 1000 - flows}, 5, ${reconstructed})`;
}

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await createUser("curve-alice");
  bob = await createUser("curve-bob");
  // Alice: 1000 (reconstructed) → 1100 → 2200 with a 1000 deposit (r = 1200/1100 − 1) → 2420.
  await snapshot(alice, "2026-06-01", 1000, 0, null, true);
  await snapshot(alice, "2026-06-02", 1100);
  await snapshot(alice, "2026-06-03", 2200, 1000);
  await snapshot(alice, "2026-06-04", 2420);
  await snapshot(alice, "2026-06-02", 700, 0, "binance");
  await snapshot(bob, "2026-06-02", 50);
});

describe("equity_curve", () => {
  it("returns the caller's daily points with a TWR index that ignores the deposit", async () => {
    const rows = await asUser(alice, (tx) => tx`select * from public.equity_curve('2026-06-01', '2026-06-30')`);
    expect(rows.map((r) => r.date.toISOString().slice(0, 10))).toEqual(["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]);
    expect(rows.map((r) => n(r.balance))).toEqual([1000, 1100, 2200, 2420]);
    expect(rows.map((r) => n(r.net_flows))).toEqual([0, 0, 1000, 0]);
    // 1, × 1.1, × (2200 − 1000) / 1100 = 1.2, × 2420 / 2200 = 1.1  →  1, 1.1, 1.2, 1.32
    expect(rows.map((r) => n(r.twr_index))).toEqual([1, 1.1, 1.2, 1.32]);
    expect(rows.map((r) => r.is_reconstructed)).toEqual([true, false, false, false]);
    expect(rows.map((r) => n(r.realized_pnl))).toEqual([0, 100, 200, 1420]);
    expect(n(rows[0].unrealized_pnl)).toBe(5);
  });

  it("filters by exchange and by range", async () => {
    const bin = await asUser(alice, (tx) => tx`select * from public.equity_curve('2026-06-01', '2026-06-30', 'binance')`);
    expect(bin.map((r) => n(r.balance))).toEqual([700]);
    const two = await asUser(alice, (tx) => tx`select * from public.equity_curve('2026-06-03', '2026-06-04')`);
    // The index restarts at 1 on the range's first point.
    expect(two.map((r) => n(r.twr_index))).toEqual([1, 1.1]);
  });

  it("user B sees none of A's rows", async () => {
    const rows = await asUser(bob, (tx) => tx`select * from public.equity_curve('2026-01-01', '2026-12-31')`);
    expect(rows.map((r) => n(r.balance))).toEqual([50]);
  });

  it("rejects an invalid range with 22023", async () => {
    await expect(asUser(alice, (tx) => tx`select * from public.equity_curve('2026-06-04', '2026-06-01')`))
      .rejects.toMatchObject({ code: "22023" });
  });

  it("is not callable by anon or the service role (no JWT user)", async () => {
    await expect(asAnon((tx) => tx`select * from public.equity_curve('2026-06-01', '2026-06-30')`)).rejects.toThrow(/permission denied/);
    await expect(asService((tx) => tx`select * from public.equity_curve('2026-06-01', '2026-06-30')`)).rejects.toThrow(/permission denied/);
  });

  it("users cannot call the job functions", async () => {
    for (const call of [
      "select private.take_portfolio_snapshots()",
      "select private.refresh_performance_metrics()",
      "select private.update_unrealized_pnl()",
      "select private.enqueue_due_syncs()",
    ]) {
      await expect(asUser(alice, (tx) => tx.unsafe(call))).rejects.toThrow(/permission denied/);
    }
  });
});
