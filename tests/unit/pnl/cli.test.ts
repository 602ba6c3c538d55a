/** The audit CLI (scripts/pnl.ts) run as a process on small files. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "pnl-cli-"));
const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");
const write = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === "string" ? data : JSON.stringify(data));
  return p;
};
const runCli = (...args: string[]) => spawnSync(TSX, ["scripts/pnl.ts", ...args], { encoding: "utf8" });

// ccxt-shaped trades, numbers as ccxt gives them
const trades = [
  { id: "1", order: "A", symbol: "BTC/USDT", side: "buy", price: 100, amount: 1, cost: 100, fee: { cost: 0.1, currency: "USDT" }, timestamp: Date.UTC(2024, 0, 1) },
  { id: "2", order: "B", symbol: "BTC/USDT", side: "buy", price: 200, amount: 1, cost: 200, fee: { cost: 0.2, currency: "USDT" }, timestamp: Date.UTC(2024, 0, 2) },
  { id: "3", order: "C", symbol: "BTC/USDT", side: "sell", price: 150, amount: 1, cost: 150, fee: { cost: 0.0005, currency: "BNB" }, timestamp: Date.UTC(2024, 0, 3) },
];

describe("npm run pnl (scripts/pnl.ts)", () => {
  it("prints positions, trades (trade_history columns) and totals for an array of ccxt trades", () => {
    const out = JSON.parse(execFileSync(TSX, ["scripts/pnl.ts", write("a.json", trades)], { encoding: "utf8" }));
    // average: q 2, C 300, F 0.3; sell 1 @150: cost share 150, fee share 0.15, gross 0,
    // exit fee 0.0005 BNB with no BNB price → unconverted; net = 0 − 0.15 = −0.15
    expect(out.trades).toHaveLength(1);
    expect(out.trades[0]).toMatchObject({ gross_pnl: "0", net_pnl: "-0.15", entry_fees: "0.15", exit_fees: "0", exit_type: "PARTIAL" });
    expect(out.trades[0].fees_unconverted).toEqual([{ currency: "BNB", amount: "0.0005" }]);
    expect(out.positions[0]).toMatchObject({ status: "OPEN", quantity: "1", entry_price: "150" });
    expect(out.totals).toMatchObject({
      realized_gross_pnl: "0",
      realized_net_pnl: "-0.15",
      fees: "0.3",
      funding: "0",
      open_quantity: { "BTC/USDT": "1" },
      unknown_cost_basis_quantity: {},
    });
  });

  it("--method fifo and the object form with prices", () => {
    const file = write("b.json", {
      trades,
      prices: [{ symbol: "BNB/USDT", price: "400", datetime: "2024-01-01T00:00:00Z" }],
    });
    const out = JSON.parse(execFileSync(TSX, ["scripts/pnl.ts", "--method", "fifo", file], { encoding: "utf8" }));
    // fifo: the 100 lot (fee 0.1) is sold at 150: gross 50; BNB fee 0.0005 × 400 = 0.2
    // net = 50 − 0.1 − 0.2 = 49.7
    expect(out.method).toBe("fifo");
    expect(out.trades[0]).toMatchObject({ gross_pnl: "50", exit_fees: "0.2", net_pnl: "49.7", fees_unconverted: [] });
    expect(out.totals.fees).toBe("0.5"); // 0.1 + 0.2 entry, 0.2 exit
  });

  it("bad input: one line on stderr, exit code 2", () => {
    for (const args of [
      [write("bad.json", "{not json")],
      [write("c.json", { trades: [{ ...trades[0], price: "abc" }] })],
      [write("d.json", { orders: [] })],
      ["--method", "lifo", write("e.json", trades)],
      [join(dir, "missing.json")],
      [],
    ]) {
      const r = runCli(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^pnl: /);
    }
  });
});
