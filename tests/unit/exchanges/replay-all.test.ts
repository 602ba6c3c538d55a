/**
 * Every recorded ccxt case (50) and every hand-written case replays through the real ccxt code
 * path (msw at HTTP level) and normalises into rows without error; the request goes to the
 * documented host + path; amounts are canonical decimal strings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allCases,
  CASE_URLS,
  FIXTURE_EXCHANGES,
  replayCase,
  type ReplayServer,
  startReplayServer,
} from "../../support/ccxt/replay.ts";
import { normalizeFor, NORMALIZED_METHODS } from "./helpers.ts";

let server: ReplayServer;
beforeAll(() => {
  server = startReplayServer();
});
afterAll(() => server.close());

const DECIMAL = /^-?\d+(\.\d*[1-9])?$/;
const AMOUNT_KEYS = new Set(["price", "amount", "cost", "free", "locked", "total", "quantity", "executed_qty", "average_price", "fee", "entry_price", "mark_price", "unrealized_pnl", "leverage", "liquidation_price", "exchange_realized_pnl", "stop_price", "quote_quantity"]);

function checkAmounts(row: Record<string, unknown>) {
  for (const [k, v] of Object.entries(row)) {
    if (AMOUNT_KEYS.has(k) && v !== null && v !== undefined) expect(v, k).toMatch(DECIMAL);
    if (k === "fees") for (const f of v as { amount: string }[]) expect(f.amount).toMatch(DECIMAL);
  }
}

describe("all fixture cases replay and normalise", () => {
  for (const ex of FIXTURE_EXCHANGES) {
    const cases = allCases(ex, [...NORMALIZED_METHODS]);
    it(`${ex} has cases`, () => expect(cases.length).toBeGreaterThan(0));
    for (const kase of cases) {
      it(`${ex} ${kase.method} — ${kase.description}${kase.source ? " (handwritten)" : ""}`, async () => {
        const { client, result, requests } = await replayCase(server, ex, kase.method, kase.description);
        expect(requests).toHaveLength(1);
        const expected = kase.url ?? CASE_URLS[ex][kase.description];
        expect(`${requests[0].url.origin}${requests[0].url.pathname}`).toBe(expected);
        const rows = normalizeFor(kase.method, client, result) as Record<string, unknown>[];
        if (!(ex === "binance" && kase.description === "inverse positions")) expect(rows.length).toBeGreaterThan(0);
        for (const r of rows) checkAmounts(r);
      });
    }
  }
});

describe("fixture inventory", () => {
  it("replays all 50 recorded ccxt cases plus the hand-written ones", () => {
    const recorded = FIXTURE_EXCHANGES.flatMap((ex) => allCases(ex).filter((k) => !k.source));
    const handwritten = FIXTURE_EXCHANGES.flatMap((ex) => allCases(ex).filter((k) => k.source === "handwritten"));
    expect(recorded).toHaveLength(50);
    expect(handwritten.length).toBeGreaterThanOrEqual(14);
  });
});
