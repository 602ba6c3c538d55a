/** fetchOrders / fetchClosedOrders / fetchOpenOrders / fetchOrder → OrderRow. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "ccxt";
import { replayCase, type ReplayServer, startReplayServer, type FixtureExchange } from "../../support/ccxt/replay.ts";
import { mapOrderStatus, type NormalizedOrder, normalizeOrder, normalizeOrders } from "../../../functions/_shared/exchanges/index.ts";
import { c } from "./helpers.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

// deno-lint-ignore no-explicit-any
type Raw = any;
async function orders(ex: FixtureExchange, method: string, description: string): Promise<{ rows: NormalizedOrder[]; raw: Raw }> {
  const { client, result, case: k } = await replayCase<Order | Order[]>(server, ex, method, description);
  const rows = Array.isArray(result) ? normalizeOrders(client, result).rows : [normalizeOrder(client, result)!];
  return { rows, raw: k.httpResponse };
}

describe("binance", () => {
  it("spot market order: no limit price, average = cummulativeQuoteQty / executedQty", async () => {
    const { rows, raw } = await orders("binance", "fetchOrder", "Fetch spot closed order");
    expect(rows[0]).toMatchObject({
      order_id: raw.orderId,
      client_order_id: raw.clientOrderId,
      side: "sell",
      type: "market",
      status: "FILLED",
      price: null,
      quantity: c(raw.origQty),
      executed_qty: c(raw.executedQty),
      average_price: "90.8",
      cost: "9.08",
      stop_price: null,
      order_timestamp: "2023-03-23T11:32:54.472Z",
      filled_timestamp: "2023-03-23T11:32:54.472Z",
    });
  });
  it("open LIMIT_MAKER order → NEW", async () => {
    const { rows } = await orders("binance", "fetchOpenOrders", "Fetch spot open orders");
    expect(rows[0]).toMatchObject({ status: "NEW", price: "50", quantity: "0.2", executed_qty: "0", average_price: null, filled_timestamp: null });
  });
  it("canceled spot order keeps its quantities", async () => {
    const { rows } = await orders("binance", "fetchOrders", "fetch spot orders");
    expect(rows[0]).toMatchObject({ status: "CANCELED", price: "50", quantity: "0.1", executed_qty: "0" });
  });
  it("portfolio-margin UM orders (swap)", async () => {
    const { rows } = await orders("binance", "fetchOrders", "fetch portfolio margin orders");
    expect(rows[0]).toMatchObject({ market_type: "swap", symbol: "BTC/USDT:USDT", status: "FILLED", quantity: "0.01", average_price: "47279.4", reduce_only: false, cost: "472.794" });
    const open = await orders("binance", "fetchOpenOrders", "open portfolio margin orders");
    expect(open.rows[0]).toMatchObject({ status: "NEW", quantity: "0.41", price: "50" });
  });
});

describe("bitget", () => {
  it("hedge-mode reduce-only close: side flipped to sell, reduce_only true", async () => {
    const { rows, raw } = await orders("bitget", "fetchClosedOrders", "Swap closed order reduced only");
    const r = raw.data.entrustedList[0];
    expect(rows[0]).toMatchObject({ side: "sell", reduce_only: true, status: "FILLED", quantity: c(r.size), executed_qty: c(r.baseVolume), average_price: c(r.priceAvg), price: null });
  });
  it("spot market buy sized in quote (string body): quantity = executed base, quote size kept", async () => {
    const { rows } = await orders("bitget", "fetchClosedOrders", "Spot closed order");
    expect(rows[0]).toMatchObject({ quantity: "0.0794", executed_qty: "0.0794", quote_quantity: "5.5", cost: "5.499641", average_price: "69.265" });
    const single = await orders("bitget", "fetchOrder", "fetch spot order");
    expect(single.rows[0]).toMatchObject({ quantity: "0.0915", quote_quantity: "6", average_price: "65.521", status: "FILLED" });
  });
  it("open spot limit order: no average before a fill", async () => {
    const { rows } = await orders("bitget", "fetchOpenOrders", "open spot orders");
    expect(rows[0]).toMatchObject({ status: "NEW", price: "50", quantity: "0.11", executed_qty: "0", average_price: null });
  });
  it("swap fetchOrder cases", async () => {
    expect((await orders("bitget", "fetchOrder", "swap market buy")).rows[0]).toMatchObject({ side: "buy", quantity: "0.1", average_price: "68.74", reduce_only: false });
    expect((await orders("bitget", "fetchOrder", "Swap market sell")).rows[0]).toMatchObject({ side: "sell", quantity: "0.2", average_price: "68.65" });
    expect((await orders("bitget", "fetchOrder", "swap reduceOnly sell order")).rows[0]).toMatchObject({ side: "sell", reduce_only: true });
  });
  it("UTA open order and fetchOrder", async () => {
    expect((await orders("bitget", "fetchOpenOrders", "uta swap fetchOpenOrders")).rows[0]).toMatchObject({ status: "NEW", price: "50000", quantity: "0.001", executed_qty: "0" });
    expect((await orders("bitget", "fetchOrder", "uta swap fetchOrder")).rows[0]).toMatchObject({ status: "NEW", price: "50000", quantity: "0.001" });
  });
});

describe("gate", () => {
  it("spot market buy sized in quote: executed base derived once (4.998985 / 68.02 → 0.0735 at the amount tick)", async () => {
    const { rows } = await orders("gate", "fetchClosedOrders", "spot closed orders");
    expect(rows[0]).toMatchObject({ status: "FILLED", quote_quantity: "5", quantity: "0.0735", executed_qty: "0.0735", average_price: "68.02", cost: "4.998985", price: null });
  });
  it("swap order: signed contracts → base (1 × 0.1)", async () => {
    const { rows } = await orders("gate", "fetchClosedOrders", "closed swap orders");
    expect(rows[0]).toMatchObject({ side: "sell", quantity: "0.1", executed_qty: "0.1", average_price: "68.42", status: "FILLED", reduce_only: false });
  });
  it("hand-written open order, partially filled", async () => {
    const { rows } = await orders("gate", "fetchOpenOrders", "spot open orders");
    expect(rows[0]).toMatchObject({ status: "PARTIALLY_FILLED", quantity: "1", executed_qty: "0.4", price: "50.5" });
  });
  it("hand-written single order, filled limit sell", async () => {
    const { rows } = await orders("gate", "fetchOrder", "spot filled limit sell");
    expect(rows[0]).toMatchObject({ status: "FILLED", quantity: "2.5", executed_qty: "2.5", price: "71.23", cost: "178.075", filled_timestamp: "2024-01-28T02:46:45.200Z" });
  });
});

describe("mexc", () => {
  it("market sell: average from cummulativeQuoteQty / executedQty", async () => {
    const { rows } = await orders("mexc", "fetchOrders", "fetch orders");
    expect(rows[0]).toMatchObject({ status: "FILLED", type: "market", price: null, quantity: "1220", executed_qty: "1220", average_price: "0.004542", client_order_id: null });
  });
});

describe("liquidation orders", () => {
  it("binance autoclose- client ids and gate is_liq are flagged", async () => {
    const b = await replayCase<Order[]>(server, "binance", "fetchOrders", "fetch portfolio margin orders");
    const o = { ...b.result[0], clientOrderId: "autoclose-1596107620040000020", info: { ...b.result[0].info, clientOrderId: "autoclose-1596107620040000020" } };
    expect(normalizeOrder(b.client, o)!.is_liquidation).toBe(true);
    const g = await replayCase<Order[]>(server, "gate", "fetchClosedOrders", "closed swap orders");
    expect(normalizeOrder(g.client, g.result[0])!.is_liquidation).toBe(false);
    expect(normalizeOrder(g.client, { ...g.result[0], info: { ...g.result[0].info, is_liq: true, finish_as: "liquidated" } })!.is_liquidation).toBe(true);
  });
});

describe("status mapping", () => {
  it.each([
    ["open", undefined, "0", "NEW"],
    ["open", undefined, "0.5", "PARTIALLY_FILLED"],
    ["open", "PARTIALLY_FILLED", "0.5", "PARTIALLY_FILLED"],
    ["closed", "FILLED", "1", "FILLED"],
    ["canceled", "CANCELED", "0.2", "CANCELED"],
    ["expired", "EXPIRED", "0", "EXPIRED"],
    ["canceled", "EXPIRED_IN_MATCH", "0", "EXPIRED"],
    ["rejected", "REJECTED", "0", "REJECTED"],
    ["canceled", "failed", "0", "REJECTED"],
  ])("%s / %s / %s → %s", (ccxt, raw, executed, expected) => {
    expect(mapOrderStatus(ccxt, raw, executed)).toBe(expected);
  });
  it("unknown status is malformed", () => {
    expect(() => mapOrderStatus("weird", undefined, "0")).toThrow();
  });
});
