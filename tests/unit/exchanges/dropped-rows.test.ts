/**
 * Rows ccxt drops silently (dropped-rows.ts): for every history kind the sync pages through, per
 * exchange, on the recorded bodies (and hand-written ones where none is recorded):
 *   - the row array is found where the endpoint puts it (its length = what ccxt parsed);
 *   - the same body with one row stripped of its id and time fields, asked with `since` (ccxt's
 *     since-filter then drops that row: the page comes back one row short) is rejected with the
 *     count in the reason;
 *   - rows ccxt leaves out on purpose (older than `since`, canceled orders of a closed-orders
 *     call) are not mistaken for malformed ones.
 */
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Exchange, MarketInterface } from "ccxt";
import {
  caseResponses,
  type FixtureExchange,
  getCase,
  OUR_ID,
  replayClient,
  type ReplayServer,
  startReplayServer,
} from "../../support/ccxt/replay.ts";
import {
  assertNoRowsDropped,
  clearLastResponse,
  type HistoryRowKind,
  lastJsonBody,
  MalformedPayloadError,
  rawRowsOf,
  usableRow,
} from "../../../functions/_shared/exchanges/index.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

type Body = unknown;
interface PageCase {
  ex: FixtureExchange;
  method: string;
  /** A recorded (or hand-written) fixture case … */
  description: string;
  kind: HistoryRowKind;
  /** … whose rows sit here in the body (written out independently of dropped-rows.ts). */
  path: string[];
  /** ccxt returns a row without id / time as it is (no since-filter): the sync's page-row check rejects it. */
  keeps?: true;
  /** With `since`, ccxt calls another endpoint (same body shape). */
  sinceUrl?: string;
  /** No fixture: the body (from the exchange's API docs, as quoted in ccxt's source) and the call. */
  inline?: { url: string; input: unknown[]; body: Body };
}

const CASES: PageCase[] = [
  { ex: "binance", method: "fetchMyTrades", description: "Spot private trade", kind: "trades", path: [] },
  { ex: "binance", method: "fetchMyTrades", description: "Swap private trade", kind: "trades", path: [] },
  { ex: "binance", method: "fetchOrders", description: "fetch spot orders", kind: "orders", path: [] },
  { ex: "binance", method: "fetchDeposits", description: "fetchDeposits", kind: "transfers", path: [] },
  { ex: "binance", method: "fetchWithdrawals", description: "fetchWithdrawals", kind: "transfers", path: [] },
  // binance funding: raw fapi income rows (no ccxt parser between), checked row by row by the sync
  { ex: "bitget", method: "fetchMyTrades", description: "Spot trade", kind: "trades", path: ["data"] },
  { ex: "bitget", method: "fetchMyTrades", description: "swap trade", kind: "trades", path: ["data", "fillList"] },
  { ex: "bitget", method: "fetchMyTrades", description: "hedge-mode liquidation fill with rebate", kind: "trades", path: ["data", "fillList"] },
  { ex: "bitget", method: "fetchMyTrades", description: "uta swap fetchMyTrades", kind: "trades", path: ["data", "list"] },
  { ex: "bitget", method: "fetchClosedOrders", description: "Spot closed order", kind: "orders", path: ["data"] },
  { ex: "bitget", method: "fetchClosedOrders", description: "Swap closed order reduced only", kind: "orders", path: ["data", "entrustedList"] },
  { ex: "bitget", method: "fetchDeposits", description: "spot wallet deposit records", kind: "transfers", path: ["data"] },
  { ex: "bitget", method: "fetchWithdrawals", description: "spot wallet withdrawal records", kind: "transfers", path: ["data"] },
  {
    ex: "bitget", method: "fetchFundingHistory", description: "mix account bill (funding)", kind: "funding", path: ["data", "bills"],
    inline: {
      url: "https://api.bitget.com/api/v2/mix/account/bill",
      input: ["BTC/USDT:USDT", null, null],
      body: {
        code: "00000", msg: "success", requestTime: 1700795977890,
        data: {
          bills: [{ billId: "1111499428100472833", symbol: "BTCUSDT", amount: "-0.004992", fee: "0", feeByCoupon: "", businessType: "contract_settle_fee", coin: "USDT", cTime: "1700728034996" }],
          endId: "1098396773329305606",
        },
      },
    },
  },
  { ex: "gate", method: "fetchMyTrades", description: "Spot trade", kind: "trades", path: [] },
  { ex: "gate", method: "fetchMyTrades", description: "Swap trade", kind: "trades", path: [] },
  { ex: "gate", method: "fetchMyTrades", description: "spot trades paid in GT and points", kind: "trades", path: [] },
  { ex: "gate", method: "fetchMyTrades", description: "swap maker rebate and liquidation", kind: "trades", path: [] },
  { ex: "gate", method: "fetchClosedOrders", description: "spot closed orders", kind: "orders", path: [] },
  {
    ex: "gate", method: "fetchClosedOrders", description: "closed swap orders", kind: "orders", path: [],
    sinceUrl: "https://api.gateio.ws/api/v4/futures/USDT/orders_timerange",
  },
  { ex: "gate", method: "fetchDeposits", description: "wallet deposits", kind: "transfers", path: [], keeps: true },
  { ex: "gate", method: "fetchWithdrawals", description: "wallet withdrawals", kind: "transfers", path: [], keeps: true },
  { ex: "gate", method: "fetchFundingHistory", description: "futures funding account book", kind: "funding", path: [] },
  { ex: "mexc", method: "fetchMyTrades", description: "user trade", kind: "trades", path: [] },
  { ex: "mexc", method: "fetchMyTrades", description: "swap deals in contracts", kind: "trades", path: ["data"] },
  { ex: "mexc", method: "fetchOrders", description: "fetch orders", kind: "orders", path: [] },
  { ex: "mexc", method: "fetchDeposits", description: "deposit history", kind: "transfers", path: [] },
  { ex: "mexc", method: "fetchWithdrawals", description: "withdraw history", kind: "transfers", path: [] },
  {
    ex: "mexc", method: "fetchFundingHistory", description: "contract funding records", kind: "funding", path: ["data", "resultList"], keeps: true,
    inline: {
      url: "https://api.mexc.com/api/v1/private/position/funding_records",
      input: ["BTC/USDT:USDT", null, null],
      body: {
        success: true, code: 0,
        data: {
          pageSize: 20, totalCount: 2, totalPage: 1, currentPage: 1,
          resultList: [
            { id: 7423910, symbol: "BTC_USDT", positionType: 1, positionValue: 29.30024, funding: 0.00076180624, rate: -0.000026, settleTime: 1643299200000 },
            { id: 7416473, symbol: "BTC_USDT", positionType: 1, positionValue: 28.9188, funding: 0.0014748588, rate: -0.000051, settleTime: 1643270400000 },
          ],
        },
      },
    },
  },
];

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

function rowsAt(body: Body, path: string[]): Record<string, unknown>[] {
  let v = body as Record<string, unknown>;
  for (const k of path) v = v[k] as Record<string, unknown>;
  if (!Array.isArray(v)) throw new Error(`no row array at ${path.join(".") || "(top level)"}`);
  return v as Record<string, unknown>[];
}

/** The row as an exchange might garble it: every id and time field gone. */
function withoutIdAndTime(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !/id$|time|^ts$/i.test(k)));
}

function source(c: PageCase): { url: string; input: unknown[]; body: Body } {
  if (c.inline) return c.inline;
  const k = getCase(c.ex, c.method, c.description);
  const [[url, body]] = Object.entries(caseResponses(c.ex, k));
  return { url, input: k.input, body: typeof body === "string" ? JSON.parse(body) : body };
}

/** Serves the case's body, changed by `edit`, at its URL (and at `sinceUrl`). */
function serve(c: PageCase, edit: (body: Body) => void = () => {}) {
  const { url, body } = source(c);
  const b = clone(body);
  edit(b);
  server.resetHandlers(...[url, c.sinceUrl].filter((u) => u !== undefined).map((u) => http.all(u, () => HttpResponse.json(b as never))));
}

interface Parsed {
  timestamp?: number;
}

async function call(c: PageCase, o: { since?: number; noLimit?: boolean } = {}): Promise<{ client: Exchange; list: Parsed[] }> {
  const client = replayClient(c.ex);
  const args = source(c).input.map((x) => (x === null ? undefined : x));
  if (o.since !== undefined) args[1] = o.since;
  if (o.noLimit) args[2] = undefined;
  clearLastResponse(client);
  // deno-lint-ignore no-explicit-any
  const list = await (client as any)[c.method](...args);
  return { client, list };
}

function marketOf(client: Exchange, c: PageCase): MarketInterface | undefined {
  const symbol = source(c).input[0];
  return typeof symbol === "string" ? client.markets?.[symbol] : undefined;
}

function rejection(client: Exchange, list: Parsed[], c: PageCase): Error | null {
  try {
    assertNoRowsDropped(client, list, { kind: c.kind, market: marketOf(client, c) });
    return null;
  } catch (e) {
    return e as Error;
  }
}

describe("rows ccxt dropped are caught, per exchange and history kind", () => {
  for (const c of CASES) {
    it(`${c.ex} ${c.method} — ${c.description}${c.inline ? " (from the API docs)" : ""}`, async () => {
      serve(c);
      const whole = await call(c);
      expect(whole.list.length).toBeGreaterThan(0);
      // the rows are found where the endpoint puts them, and they parse
      expect(rawRowsOf(OUR_ID[c.ex], lastJsonBody(whole.client))).toHaveLength(whole.list.length);
      expect(rejection(whole.client, whole.list, c)).toBeNull();
      expect(whole.list.every((r) => usableRow(c.kind, r))).toBe(true);

      const since = Math.min(...whole.list.map((r) => r.timestamp!));
      serve(c, (b) => {
        const rows = rowsAt(b, c.path);
        rows.push(withoutIdAndTime(rows[0]));
      });
      const garbled = await call(c, { since });
      if (c.keeps) {
        // ccxt hands the row over as it is: nothing dropped, and the row is unusable for the sync
        expect(garbled.list).toHaveLength(whole.list.length + 1);
        expect(rejection(garbled.client, garbled.list, c)).toBeNull();
        expect(garbled.list.filter((r) => !usableRow(c.kind, r))).toHaveLength(1);
        return;
      }
      expect(garbled.list).toHaveLength(whole.list.length); // ccxt left the garbled row out
      const err = rejection(garbled.client, garbled.list, c);
      expect(err).toBeInstanceOf(MalformedPayloadError);
      expect(err!.message).toBe(`exchange returned ${whole.list.length + 1} rows, 1 could not be parsed (missing id/timestamp)`);
    });
  }
});

describe("rows ccxt leaves out on purpose are not malformed", () => {
  const binanceSpot = CASES.find((c) => c.ex === "binance" && c.description === "Spot private trade")!;
  const bitgetSwapOrders = CASES.find((c) => c.description === "Swap closed order reduced only")!;

  it("binance myTrades: a row older than `since` (ccxt's since-filter) passes; with a garbled one, only that one counts", async () => {
    serve(binanceSpot);
    const whole = await call(binanceSpot);
    const since = whole.list[0].timestamp!;
    const older = (b: Body) => {
      const rows = rowsAt(b, []);
      rows.push({ ...rows[0], id: Number(rows[0].id) - 1, time: since - 60_000 });
    };
    serve(binanceSpot, older);
    const filtered = await call(binanceSpot, { since });
    expect(filtered.list).toHaveLength(whole.list.length);
    expect(rawRowsOf("binance", lastJsonBody(filtered.client))).toHaveLength(whole.list.length + 1);
    expect(rejection(filtered.client, filtered.list, binanceSpot)).toBeNull();

    serve(binanceSpot, (b) => {
      older(b);
      const rows = rowsAt(b, []);
      rows.push(withoutIdAndTime(rows[0]));
    });
    const both = await call(binanceSpot, { since });
    expect(both.list).toHaveLength(whole.list.length);
    expect(rejection(both.client, both.list, binanceSpot)?.message).toBe(
      `exchange returned ${whole.list.length + 2} rows, 1 could not be parsed (missing id/timestamp)`,
    );
  });

  it("bitget closed orders: a canceled order (left out by ccxt's status filter) passes", async () => {
    serve(bitgetSwapOrders, (b) => {
      const rows = rowsAt(b, bitgetSwapOrders.path);
      rows.push({ ...rows[0], orderId: "1115965643967582299", clientOid: "1115965643971776599", status: "canceled", baseVolume: "0", priceAvg: "" });
    });
    const r = await call(bitgetSwapOrders, { noLimit: true });
    expect(r.list).toHaveLength(1);
    expect(rawRowsOf("bitget", lastJsonBody(r.client))).toHaveLength(2);
    expect(rejection(r.client, r.list, bitgetSwapOrders)).toBeNull();
  });

  it("a body without the row array where expected (an error object) is not judged", () => {
    expect(rawRowsOf("bitget", { code: "00000", data: { fillList: null, endId: null } })).toBeNull();
    expect(rawRowsOf("binance", { code: -1121, msg: "Invalid symbol." })).toBeNull();
  });
});
