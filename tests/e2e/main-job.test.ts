/**
 * The main job from an empty account: the shipped sample account imported through the real path,
 * closed into trades by the engine, and the report's numbers equal to the expectations computed
 * independently (tests/fixtures/sample-account/compute_expected.py, Python decimal). A second run
 * imports nothing and gives the same numbers.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools, trackMarketPrices } from "../support/db.ts";
import { ROOT, stackEnv } from "../support/env.ts";
import { callFunction } from "../support/http.ts";
import { signToken, userClaims, type TestUser } from "../support/users.ts";

const expected = JSON.parse(readFileSync(resolve(ROOT, "tests/fixtures/sample-account/expected.json"), "utf8"));
const t_open = (): number => expected.total.open_positions;

function runMainJob(email: string, out: string): string {
  return execFileSync(resolve(ROOT, "node_modules/.bin/tsx"), ["scripts/main-job.ts", "--user", email, "--out", out, "--no-screenshot", "--quiet"], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, ...stackEnv() }, stdio: ["ignore", "pipe", "pipe"],
  });
}

let cleanPrices: () => Promise<void>;
beforeAll(async () => { cleanPrices = await trackMarketPrices(); });
afterAll(async () => { await cleanPrices(); await closePools(); });

describe("npm start's main job on the sample account", () => {
  const email = `e2e-${Date.now()}@example.test`;
  const out = mkdtempSync(join(tmpdir(), "cgt-report-"));
  let report: any;

  it("imports, closes positions and reports the independently computed headline numbers", () => {
    runMainJob(email, out);
    report = JSON.parse(readFileSync(join(out, "pnl-report.json"), "utf8"));
    const h = report.headline;
    const t = expected.total;
    // Rounded to 8 decimals as compute_expected.py reports them (half-even).
    const r8 = (x: string) => new Decimal(x).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed(8);
    expect(r8(h.realized_gross_pnl)).toBe(t.realized_gross_pnl);
    expect(r8(h.realized_net_pnl)).toBe(t.realized_net_pnl);
    expect(r8(h.fees)).toBe(t.fees_realized_usdt);
    expect(h.trades).toBe(t.closing_events);
    expect(h.winners).toBe(t.winners);
    expect(h.losers).toBe(t.losers);
    const types: Record<string, number> = {};
    for (const tr of report.trades) types[tr.exit_type] = (types[tr.exit_type] ?? 0) + 1;
    expect(types).toEqual(t.exit_types);
    expect(report.open_positions).toHaveLength(t.open_positions);
    expect(report.exchanges).toEqual(["binance", "bitget"]);
    const html = readFileSync(join(out, "pnl-report.html"), "utf8");
    expect(html).toContain("6,400.15");
    expect(html).not.toMatch(/(src|href)=["']https?:/);
  }, 180_000);

  it("api/positions/open prices every open position; its total equals the stored column and the view (one price rule)", async () => {
    const [u] = await adminSql()`select id::text from auth.users where email = ${email}`;
    const claims = userClaims(u.id, email);
    const user: TestUser = { id: u.id, email, claims, token: await signToken(claims) };
    const res = await callFunction("api", { path: "/positions/open", token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.total_positions).toBe(t_open());
    expect(res.body.unpriced_positions).toBe(0);
    for (const p of res.body.positions) expect(p.current_price).not.toBeNull();
    const [col] = await adminSql()`select sum(unrealized_pnl)::text as total, count(unrealized_pnl)::int as priced
                                     from public.positions where user_id = ${user.id} and status = 'OPEN'`;
    const [view] = await asUser(user, (tx) => tx`select sum(unrealized_pnl)::text as total from public.open_positions`);
    expect(col.priced).toBe(t_open());
    expect(new Decimal(res.body.total_unrealized_pnl).eq(col.total)).toBe(true);
    expect(new Decimal(view.total).eq(col.total)).toBe(true);

    // Net flows, one definition: the report's net deposits are the equity curve's for the same days.
    const curve = await callFunction("api", { path: `/portfolio/equity-curve?from=${report.period.from.slice(0, 10)}&to=${report.period.to.slice(0, 10)}`, token: user.token });
    expect(curve.status).toBe(200);
    expect(new Decimal(curve.body.net_flows).eq(report.headline.net_deposits)).toBe(true);
    // The report values open positions at the period's end by the same rule as the curve's last day.
    const last = curve.body.data_points[curve.body.data_points.length - 1];
    const reportUnrealized = report.open_positions.reduce((a: Decimal, p: any) => a.plus(p.unrealized_pnl), new Decimal(0));
    expect(reportUnrealized.toFixed(8)).toBe(new Decimal(last.unrealized_pnl).toFixed(8));
  }, 60_000);

  it("a second run imports nothing new and gives the same numbers", () => {
    const stderr = runMainJob(email, out);
    const again = JSON.parse(readFileSync(join(out, "pnl-report.json"), "utf8"));
    expect(again.headline).toEqual(report.headline);
    expect(again.trades).toEqual(report.trades);
    expect(stderr).toBeDefined();
  }, 180_000);
});
