/**
 * Periods, one definition (issue 16): private.period_start is the only place a period becomes a
 * window. get_trade_history's window (private.api_trade_window) and the api function's equity
 * curve read it, so for every period they answer the same window; '1y' is a calendar year
 * (interval '1 year'), not 365 days (the function used to count 365 days in TypeScript, a day off
 * across a 29 February).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools } from "../support/db.ts";
import { exportStackEnv } from "../support/env.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { TRADE_PERIODS } from "../../functions/_shared/types/api.ts";

let handler: (req: Request) => Promise<Response>;
let user: TestUser;

beforeAll(async () => {
  exportStackEnv();
  handler = (await import("../../functions/api/handler.ts")).default;
  user = await createUser("periods");
});
afterAll(async () => {
  await closeDb();
  await closePools();
});

describe("one period definition", () => {
  it("'1y' is a calendar year, also across 29 February", async () => {
    const rows = await adminSql()`
      select to_char(private.period_start('1y', x.at) at time zone 'UTC', 'YYYY-MM-DD') as d
        from unnest(array['2028-03-01T12:00:00Z', '2024-02-29T00:00:00Z', '2026-12-07T10:00:00Z']::timestamptz[]) as x (at)`;
    // 365 days before 2028-03-01 is 2027-03-02; before 2024-02-29 it is 2023-03-01.
    expect(rows.map((r) => r.d)).toEqual(["2027-03-01", "2023-02-28", "2025-12-07"]);
  });

  it("accepts exactly the periods the TypeScript API lists, and nothing else", async () => {
    for (const p of TRADE_PERIODS) await adminSql()`select private.period_start(${p}, now())`;
    await expect(adminSql()`select private.period_start('2y', now())`).rejects.toMatchObject({ code: "22023" });
  });

  for (const period of TRADE_PERIODS) {
    it(`${period}: the RPC's window and the api function's equity curve start on the same instant's day`, async () => {
      const [w] = await asUser(user, (tx) => tx`
        select to_char(x.window_from at time zone 'UTC', 'YYYY-MM-DD') as from_day, x.window_to
          from private.api_trade_window(${period}::text, null, null) as x`);
      const res = await handler(new Request(`http://localhost/functions/v1/api/portfolio/equity-curve?period=${period}`, {
        headers: { authorization: `Bearer ${user.token}` },
      }));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.period).toBe(period);
      if (period === "all") {
        expect(w.from_day).toBeNull(); // no start: the curve starts at the first stored day (none here: today)
        expect(body.from).toBe(body.to);
      } else {
        expect(body.from).toBe(w.from_day);
      }
    });
  }
});
