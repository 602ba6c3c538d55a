import { describe, expect, it } from "vitest";
import { fmtMoney, fmtPct } from "../../../scripts/report/format.ts";
import { renderHtmlReport } from "../../../scripts/report/html.ts";
import { parseReportData } from "../../../scripts/report/types.ts";
import { demo, textOf, tiny } from "./helpers.ts";

const data = demo();
const html = renderHtmlReport(data);
const text = textOf(html);

describe("HTML report", () => {
  it("is one self-contained document: no external URL in any src, href, url() or import", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]+\bsrc=/i);
    expect(html).not.toMatch(/<iframe\b/i);
    // chart.js is inlined, and the CSP forbids any fetch
    expect(html).toContain("Chart.js v4");
    expect(html).toContain("default-src 'none'");
  });

  it("shows the headline numbers, formatted", () => {
    expect(text).toContain("+6,400.15 USDT"); // net realized PnL
    expect(html).toContain('title="Net realized PnL: +6,400.15 USDT"');
    expect(text).toContain("gross +6,576.00");
    expect(text).toContain("82.76%"); // win rate 24 / 29
    expect(text).toContain("24 won");
    expect(text).toContain("5 lost");
    expect(text).toContain("5.26"); // profit factor
    expect(text).toContain("-2.77%"); // max drawdown, shown as a decline
    expect(text).toContain("-1,002.94 USDT from peak");
    expect(text).toContain("+28.19%"); // TWR
    expect(text).toContain("ROI +24.89%");
    expect(text).toContain("175.85 USDT"); // fees
    expect(text).toContain("34,467.48 USDT"); // equity at the end
    expect(text).toContain("net deposits +27,000.00");
  });

  it("has one row per trade, each with its formatted net PnL, and the totals", () => {
    const rows = html.match(/<tr class="trade">/g) ?? [];
    expect(rows).toHaveLength(data.trades.length);
    for (const t of data.trades) {
      expect(html).toContain(`data-v="${t.net_pnl}"`);
      expect(html).toContain(`>${fmtMoney(t.net_pnl, { signed: true })}</span>`);
    }
    expect(text).toContain("Total · 29 trades +6,400.15");
  });

  it("marks negative numbers red and positive PnL green", () => {
    expect(html).toContain('<span class="num neg">-583.78</span>'); // the BTC short stopped out
    expect(html).toContain('<span class="num neg">-61.71</span>'); // the losing ETH spot exit
    expect(html).toContain('<span class="num pos">+895.06</span>');
    expect(html).not.toMatch(/class="num pos">-/);
    expect(html).not.toMatch(/class="num ">-\d/);
  });

  it("has the open positions, the metrics by period and the charts with their data", () => {
    expect((html.match(/<tbody>/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(text).toContain("BNB/USDT");
    expect(text).toContain("ETH/USDT perp");
    expect(text).toContain("+1,076.29"); // total unrealized
    for (const m of ["May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]) expect(text).toContain(m);
    expect(text).toContain("-399.70"); // September
    for (const id of ["equity", "cumpnl", "winloss-count", "winloss-amount", "symbols"]) expect(html).toContain(`<canvas id="${id}"`);
    const payload = JSON.parse(html.match(/<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/)![1]);
    expect(payload.charts.days).toHaveLength(184);
    expect(payload.charts.cumNet.at(-1)).toBeCloseTo(6400.15157057, 6);
    expect(payload.charts.reconstructed.filter(Boolean)).toHaveLength(123);
    expect(payload.charts.symbols).toHaveLength(10);
  });

  it("escapes text from the data, in the page and inside the inlined JSON", () => {
    const d = tiny();
    d.user.email = '<img src=x onerror=alert(1)>@example.com';
    d.pnl_by_symbol[0].symbol = "</script><script>alert(1)</script>";
    const h = renderHtmlReport(d);
    expect(h).not.toContain("<img src=x");
    expect(h).toContain("&lt;img src=x onerror=alert(1)&gt;@example.com");
    expect(h).not.toContain("</script><script>alert(1)");
    expect(h).toContain("A &lt;b&gt;note&lt;/b&gt; &amp; more");
  });

  it("renders a small report: drawdowns as declines, nulls as dashes, DAILY metrics, a short position", () => {
    const h = renderHtmlReport(tiny());
    const t = textOf(h);
    expect(t).toContain("+1,234.57 USDT");
    expect(t).toContain("-1.25%"); // max_drawdown_pct "1.25" shown as a decline
    expect(t).toContain("-125.50 USDT from peak"); // amount given negative: same display
    expect(t).toContain("Sharpe —");
    expect(t).toContain("3 Feb 2026"); // DAILY period label
    expect(t).toContain("SOL/USDT perp");
    expect(h).toContain('<span class="num neg">-127.50</span>');
    expect(t).toContain(fmtPct("-6.8", { signed: true })); // unrealized % = -127.5 / 1875
  });

  it("renders an empty period without failing", () => {
    const d = parseReportData({
      ...tiny(),
      equity_curve: [],
      trades: [],
      open_positions: [],
      metrics: [],
      pnl_by_symbol: [],
      notes: [],
      headline: { ...tiny().headline, trades: 0, winners: 0, losers: 0, win_rate: null, profit_factor: null },
    });
    const t = textOf(renderHtmlReport(d));
    expect(t).toContain("No closed trades in this period.");
    expect(t).toContain("No open positions");
    expect(t).toContain("No metrics computed.");
  });
});

describe("HTML metrics table", () => {
  it("keeps the last 31 daily periods and says how many earlier ones are not shown", () => {
    const d = tiny();
    d.metrics = Array.from({ length: 40 }, (_, i) => ({
      period_type: "DAILY" as const,
      period_start: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
      exchange: "binance",
      total_trades: 1,
      win_rate: "0",
      total_net_pnl: "-1",
      profit_factor: "0",
      max_drawdown: null,
      sharpe_ratio: null,
    }));
    const t = textOf(renderHtmlReport(d));
    expect(t).toContain("Daily · last 31 (9 earlier not shown)");
    expect(t).not.toMatch(/(?<!\d)9 Jan 2026/);
    expect(t).toContain("10 Jan 2026");
    expect(t).toContain("9 Feb 2026");
  });
});
