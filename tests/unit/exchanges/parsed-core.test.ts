/**
 * Core fields against ccxt's recorded `parsedResponse` (README: it is older than ccxt 4.5.84 in
 * 12 cases, so only ids, symbols, times, sides and base amounts are compared). The differences are
 * the deliberate corrections, listed here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCases, FIXTURE_EXCHANGES, replayCase, type ReplayServer, startReplayServer } from "../../support/ccxt/replay.ts";
import { exact, mul } from "../../../functions/_shared/exchanges/index.ts";
import { normalizeFor } from "./helpers.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

// deno-lint-ignore no-explicit-any
type Any = any;
const CORRECTED_SIDE = new Set(["bitget|swap trade"]); // hedge-mode close fill: ccxt keeps the position side
const DERIVED_QTY = new Set(["gate|spot closed orders"]); // market buy sized in quote: ccxt divides floats

describe("normalised core fields agree with ccxt's parsedResponse", () => {
  for (const ex of FIXTURE_EXCHANGES) {
    for (const k of allCases(ex, ["fetchMyTrades", "fetchOrders", "fetchClosedOrders", "fetchOpenOrders", "fetchOrder"]).filter((x) => !x.source)) {
      it(`${ex} ${k.method} — ${k.description}`, async () => {
        const { client, result } = await replayCase<Any>(server, ex, k.method, k.description);
        const rows = normalizeFor(k.method, client, result) as Any[];
        const parsed: Any[] = Array.isArray(k.parsedResponse) ? k.parsedResponse : [k.parsedResponse];
        expect(rows).toHaveLength(parsed.length);
        for (const p of parsed) {
          const isTrade = k.method === "fetchMyTrades";
          const row = rows.find((r) => (isTrade ? r.trade_id : r.order_id) === p.id);
          expect(row, `row ${p.id}`).toBeDefined();
          expect(row.symbol).toBe(p.symbol);
          expect(Date.parse(isTrade ? row.executed_at : row.order_timestamp)).toBe(p.timestamp);
          const key = `${ex}|${k.description}`;
          if (CORRECTED_SIDE.has(key)) expect(row.side).not.toBe(p.side);
          else expect(row.side).toBe(p.side);
          const market = client.markets![p.symbol]!;
          const contracts = (ex === "gate" || ex === "mexc") && market.swap;
          const ccxtBase = (n: number) => (contracts ? mul(exact(client, n)!, exact(client, market.contractSize)!) : exact(client, n));
          if (isTrade) expect(row.amount).toBe(ccxtBase(p.amount));
          else if (!DERIVED_QTY.has(key)) expect(row.executed_qty).toBe(ccxtBase(p.filled));
        }
      });
    }
  }
});
