/**
 * Engine state JSON, format 2 (issue 16): readable keys (`quantity`, `entry_cost`, …) instead of
 * one- and two-letter ones, and format 1 still read. The format-1 state is a real one, written by
 * the engine before the change (tests/fixtures/pnl/state-v1.json, its source inside): resuming
 * from it must give exactly what one uninterrupted run gives.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { applyFills, createState, type StateJson } from "../../../functions/_shared/pnl/engine.ts";
import { stateScenario } from "./state-scenario.ts";

const v1: StateJson = JSON.parse(readFileSync(resolve(__dirname, "../../fixtures/pnl/state-v1.json"), "utf8")).state;
const json = (x: unknown) => JSON.parse(JSON.stringify(x));

function keysOf(o: unknown, out: string[] = []): string[] {
  if (Array.isArray(o)) o.forEach((x) => keysOf(x, out));
  else if (o && typeof o === "object") for (const [k, v] of Object.entries(o)) { out.push(k); keysOf(v, out); }
  return out;
}

describe("engine state JSON", () => {
  const sc = stateScenario();
  const full = applyFills(createState({ method: "fifo" }), [...sc.first, ...sc.rest], sc.ctxAll);

  it("a format-1 state written by the old engine resumes to exactly the uninterrupted run", () => {
    expect(v1.version).toBe(1);
    const resumed = applyFills(createState(v1), sc.rest, sc.ctxRest);
    expect(json(resumed.state)).toEqual(json(full.state));
    // the closing events of the second part (the open TP1 event re-emitted with its last fill) are the full run's
    const byKey = new Map(full.events.map((e) => [e.close_key, e]));
    for (const e of resumed.events) expect(e).toEqual(byKey.get(e.close_key));
    expect(resumed.positions.at(-1)).toEqual(full.positions.at(-1));
  });

  it("is written as format 2 with readable keys, and reads back to the same state", () => {
    const first = applyFills(createState({ method: "fifo" }), sc.first, sc.ctxFirst);
    const j = json(first.state);
    expect(j.version).toBe(2);
    for (const s of Object.values(j.streams) as Array<Record<string, unknown>>) expect(s.format).toBe(2);
    const short = keysOf(Object.values(j.streams).map((s: any) => [s.position, s.open_event])).filter((k) => k.length <= 2 && k !== "fx");
    expect(short).toEqual([]);
    expect(j.streams["binance|swap|BTC/USDT:USDT"].position).toMatchObject({ quantity: "1.2", cost: "130", realized_net_pnl: "16.03" });
    expect(json(createState(j))).toEqual(j);
    // the same state as the old engine wrote, in the new names
    expect(json(createState(v1))).toEqual(j);
  });

  it("streams stored one by one may be of either format (pnl_stream_state rows written before the change)", () => {
    const k = "binance|swap|BTC/USDT:USDT";
    const mixed = createState({ version: 2, method: "fifo", streams: { [k]: v1.streams[k] } });
    expect(json(mixed).streams[k]).toEqual(json(createState(v1)).streams[k]);
  });
});
