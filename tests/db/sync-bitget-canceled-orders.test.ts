/**
 * Bitget's order history (`/api/v2/spot/trade/history-orders`) holds filled AND cancelled
 * orders, newest first, 100 a page. ccxt's fetchClosedOrders drops the cancelled ones from each
 * page, so a full page of 100 raw rows read as a short page — the end of the window — and every
 * older order was never fetched. The sync pages on the raw history (filled and cancelled alike,
 * cancelled orders stored with their status), so the window is walked to its end.
 */
import { describe, expect, it } from "vitest";
import { adminSql } from "../support/db.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import { bitgetHistoryHandler, type RecordedCall } from "../support/ccxt/synthetic.ts";
import { mulberry32 } from "../support/prng.ts";
import { syncCredential } from "../../functions/_shared/sync/index.ts";
import { ltcSpotOnly, makeDeps, newCredential, NOW, useReplayServer } from "../unit/sync/support.ts";

const DAY = 86_400_000;
const ORDERS_ONLY = ltcSpotOnly("orders");

/** 250 LTC/USDT spot orders over the last two days, about one in three cancelled (raw bitget rows). */
function history() {
  const rnd = mulberry32(29);
  return Array.from({ length: 250 }, (_, i) => {
    const cancelled = rnd() < 0.35;
    const t = NOW - 2 * DAY + Math.floor((i * 2 * DAY) / 250);
    const size = (0.01 + Math.floor(rnd() * 1000) / 1000).toFixed(4);
    return {
      userId: "3704614084", symbol: "LTCUSDT", orderId: String(1109431644367261698n + BigInt(i)), clientOid: `c-${i}`,
      price: "69.5", size, orderType: "limit", side: rnd() < 0.5 ? "buy" : "sell", status: cancelled ? "cancelled" : "filled",
      priceAvg: cancelled ? "0" : "69.5", baseVolume: cancelled ? "0" : size,
      quoteVolume: cancelled ? "0" : (Number(size) * 69.5).toFixed(6), enterPointSource: "API", feeDetail: "",
      orderSource: "normal", cTime: String(t), uTime: String(t + 50),
    };
  });
}

let server: ReplayServer;
useReplayServer((s) => (server = s));

describe("bitget spot order history with cancelled orders in full pages", () => {
  it("walks the whole window: every order stored once (filled and cancelled), a second sync adds none", async () => {
    const rows = history();
    const calls: RecordedCall[] = [];
    server.resetHandlers(bitgetHistoryHandler("https://api.bitget.com/api/v2/spot/trade/history-orders", rows, (r) => r.orderId, { calls }));
    const cred = await newCredential("bitget", "cancelled-orders");
    const first = await syncCredential(makeDeps("bitget", { options: ORDERS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(first.status, JSON.stringify({ errors: first.errors, counts: first.counts })).toBe("succeeded");
    const stored = await adminSql()`select order_id, status from public.orders where user_id = ${cred.user.id} order by order_id`;
    expect(stored.map((r) => r.order_id)).toEqual(rows.map((r) => r.orderId).sort());
    const byStatus = (st: string) => stored.filter((r) => r.status === st).length;
    expect(byStatus("FILLED")).toBe(rows.filter((r) => r.status === "filled").length);
    expect(byStatus("CANCELED")).toBe(rows.filter((r) => r.status === "cancelled").length);
    expect(calls.slice(0, 3).map((c) => c.rows)).toEqual([100, 100, 50]);

    const again = await syncCredential(makeDeps("bitget", { options: ORDERS_ONLY }), { userId: cred.user.id, credentialId: cred.credentialId });
    expect(again.status).toBe("succeeded");
    const [{ n }] = await adminSql()`select count(*)::int as n from public.orders where user_id = ${cred.user.id}`;
    expect(n).toBe(250);
  });
});
