/**
 * A page of valid JSON whose rows lack id and time, through the worker and the database: ccxt's
 * since-filter drops those rows, so the page reads as short — before, the window was closed there
 * and the rest of it never fetched. Now the page is rejected as malformed (reason in sync_runs,
 * nothing of it written, cursor not moved past it) and the next sync brings every row, once.
 * (Per exchange and history kind, on the recorded bodies: tests/unit/exchanges/dropped-rows.test.ts;
 * binance through the fault suite: tests/e2e/faults-sync.test.ts.)
 */
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { adminSql } from "../support/db.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import { bitgetSpotFills, bitgetSpotFillsHandler, type RecordedCall } from "../support/ccxt/synthetic.ts";
import { syncCredential } from "../../functions/_shared/sync/index.ts";
import { ltcSpotOnly, makeDeps, newCredential, NOW, useReplayServer } from "../unit/sync/support.ts";

const DAY = 86_400_000;
const FILLS_ONLY = ltcSpotOnly("fills");

let server: ReplayServer;
useReplayServer((s) => (server = s));

describe("bitget spot fills, newest first: a page whose rows lack id and time", () => {
  it("is rejected (reason recorded, nothing written, no cursor past it); the next sync is complete", async () => {
    const data = bitgetSpotFills({ count: 250, start: NOW - 2 * DAY, end: NOW - 1, seed: 11 });
    const calls: RecordedCall[] = [];
    const real = bitgetSpotFillsHandler(data, calls);
    let garble = true;
    server.resetHandlers(
      http.get("https://api.bitget.com/api/v2/spot/trade/fills", async ({ request }) => {
        // the second page (idLessThan set) of the first sync: the rows without tradeId, orderId, cTime, uTime
        if (!garble || !new URL(request.url).searchParams.has("idLessThan")) return undefined;
        const rows = data
          .filter((r) => BigInt(r.tradeId) < BigInt(new URL(request.url).searchParams.get("idLessThan")!))
          .sort((a, b) => (BigInt(b.tradeId) > BigInt(a.tradeId) ? 1 : -1))
          .slice(0, 100)
          .map(({ tradeId: _t, orderId: _o, cTime: _c, uTime: _u, ...rest }) => rest);
        return HttpResponse.json({ code: "00000", msg: "success", requestTime: String(NOW), data: rows });
      }),
      real,
    );
    const cred = await newCredential("bitget", "garbled");
    const first = await syncCredential(makeDeps("bitget", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(first.status).toBe("failed");
    expect(first.errors).toEqual([{
      kind: "bad_response", step: "fills", data_kind: "fills", market_type: "spot", symbol: "LTC/USDT", code: "MalformedPayloadError",
      message: "exchange returned 100 rows, 100 could not be parsed (missing id/timestamp)",
    }]);
    const [run] = await adminSql()`select status, errors from public.sync_runs where id = ${first.runId}`;
    expect(run).toEqual({ status: "failed", errors: first.errors });
    // only the first (newest) page is stored; the window is not closed: no cursor
    const [{ n }] = await adminSql()`select count(*)::int as n from public.fills where user_id = ${cred.user.id}`;
    expect(n).toBe(100);
    expect(await adminSql()`select 1 from public.sync_cursors where user_id = ${cred.user.id}`).toHaveLength(0);

    garble = false;
    const second = await syncCredential(makeDeps("bitget", { options: FILLS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(second.status).toBe("succeeded");
    const [s] = await adminSql()`select count(*)::int as n, count(distinct trade_id)::int as d from public.fills where user_id = ${cred.user.id}`;
    expect(s).toEqual({ n: 250, d: 250 });
    expect(calls.length).toBeGreaterThan(0);
  });
});
