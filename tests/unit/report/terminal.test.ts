import { describe, expect, it } from "vitest";
import { renderTerminalSummary, stripAnsi, visibleLength } from "../../../scripts/report/terminal.ts";
import { demo, tiny } from "./helpers.ts";

const data = demo();

/** The lines of the table that follows the line starting with `title`, header first. */
function tableAfter(out: string, title: string): string[] {
  const lines = stripAnsi(out).split("\n");
  const i = lines.findIndex((l) => l.startsWith(title));
  expect(i).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (let j = i + 1; j < lines.length && lines[j].trim() !== "" && !lines[j].startsWith("═"); j++) rows.push(lines[j]);
  return rows;
}

/** Character columns where every line of a table has a space (the gaps between columns). */
function gaps(lines: string[]): number[] {
  const w = Math.max(...lines.map((l) => l.length));
  const out: number[] = [];
  for (let c = 0; c < w; c++) if (lines.every((l) => l[c] === " " || l[c] === "─")) out.push(c);
  return out;
}

describe("terminal summary", () => {
  for (const width of [100, 80, 60]) {
    it(`fits ${width} columns`, () => {
      for (const color of [false, true]) {
        const out = renderTerminalSummary(data, { width, color });
        for (const line of out.split("\n")) expect(visibleLength(line)).toBeLessThanOrEqual(width);
      }
    });
  }

  it("lays out aligned columns: every row of a table as wide as its header, right-aligned numbers", () => {
    const out = renderTerminalSummary(data, { width: 100 });
    for (const title of ["OPEN POSITIONS", "LAST 10 TRADES", "PERFORMANCE BY PERIOD"]) {
      const rows = tableAfter(out, title);
      const widths = new Set(rows.map((r) => r.length));
      expect(widths.size, `${title}: all lines the same width`).toBe(1);
      expect(rows[1]).toMatch(/^─+$/);
      // the header's column starts are gaps-or-starts in every row: each header label begins where a column begins
      const g = gaps(rows.filter((r) => !/^─+$/.test(r)));
      expect(g.length, `${title}: columns separated by blank gaps`).toBeGreaterThan(3);
    }
    const trades = tableAfter(out, "LAST 10 TRADES");
    const header = trades[0];
    const end = header.indexOf("Net PnL") + "Net PnL".length;
    const netCells = trades.slice(2).map((r) => r.slice(0, end).trimEnd().split(/\s+/).at(-1));
    expect(netCells).toHaveLength(10);
    for (const r of trades.slice(2)) expect(r[end - 1]).toMatch(/\d/); // right-aligned under the header
    expect(netCells).toEqual(
      [...data.trades]
        .sort((a, b) => Date.parse(b.exit_time) - Date.parse(a.exit_time))
        .slice(0, 10)
        .map((t) => {
          const s = Number(t.net_pnl).toFixed(2);
          const [i, f] = s.replace("-", "").split(".");
          return `${s.startsWith("-") ? "-" : "+"}${i.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
        }),
    );
  });

  it("shows the headline numbers, the open positions, the last 10 trades newest first and the metrics", () => {
    const out = renderTerminalSummary(data, { width: 100 });
    expect(out).toContain("+6,400.15 USDT");
    expect(out).toContain("82.76%");
    expect(out).toContain("29 (24 W / 5 L)");
    expect(out).toContain("-2.77% (-1,002.94 USDT)");
    expect(out).toContain("OPEN POSITIONS (4)");
    expect(out).toContain("LAST 10 TRADES (of 29)");
    const trades = tableAfter(out, "LAST 10 TRADES");
    expect(trades).toHaveLength(12);
    expect(trades[2]).toContain("2026-10-26");
    expect(trades[2]).toContain("SOL/USDT perp");
    expect(trades[11]).toContain("2026-09-18");
    const metrics = tableAfter(out, "PERFORMANCE BY PERIOD");
    expect(metrics).toHaveLength(2 + 9);
    expect(metrics[2]).toMatch(/^All time\s+all\s+29\s+82\.76%\s+\+6,400\.15/);
  });

  it("marks negative numbers: a minus sign always, red with color", () => {
    const plain = renderTerminalSummary(data, { width: 100, color: false });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toContain("-583.78");
    expect(plain).toContain("-399.70");
    const colored = renderTerminalSummary(data, { width: 100, color: true });
    expect(colored).toMatch(/\x1b\[31m\s*-583\.78\x1b\[0m/);
    expect(colored).toMatch(/\x1b\[31m\s*-399\.70\x1b\[0m/);
    expect(colored).toMatch(/\x1b\[32m\s*\+6,400\.15 USDT\s*\x1b\[0m/);
    expect(stripAnsi(colored)).toBe(plain);
  });

  it("drops less important columns rather than overflow, and handles a small report", () => {
    const narrow = renderTerminalSummary(data, { width: 60 });
    const trades = tableAfter(narrow, "LAST 10 TRADES");
    expect(trades[0]).toContain("Net PnL");
    expect(trades[0]).toContain("Symbol");
    expect(trades[0]).not.toContain("Qty");
    const t = renderTerminalSummary(tiny(), { width: 100 });
    expect(t).toContain("LAST 2 TRADES (of 2)");
    expect(t).toContain("-127.50");
    expect(t).toContain("SHORT");
    expect(t).toContain("Sharpe");
    expect(t).toContain("—");
  });
});

describe("long metric series", () => {
  it("shows only the most recent daily and weekly periods, and says how many are left out", () => {
    const d = demo();
    const daily = Array.from({ length: 40 }, (_, i) => ({
      period_type: "DAILY" as const,
      period_start: new Date(Date.UTC(2026, 8, 1 + i)).toISOString(),
      exchange: null,
      total_trades: 1,
      win_rate: "100",
      total_net_pnl: String(i - 20),
      profit_factor: null,
      max_drawdown: null,
      sharpe_ratio: null,
    }));
    d.metrics = [...d.metrics, ...daily];
    const out = stripAnsi(renderTerminalSummary(d, { width: 100 }));
    const rows = tableAfter(out, "PERFORMANCE BY PERIOD");
    expect(rows.filter((r) => /^\d+ \w{3} 2026/.test(r))).toHaveLength(7);
    expect(out).toContain("Not shown: 33 earlier daily periods (see the HTML report).");
    expect(rows.at(-2)).toMatch(/^10 Oct 2026/);
    expect(rows.at(-1)).toMatch(/^Not shown/);
  });
});
