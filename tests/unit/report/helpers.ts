import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseReportData, type ReportData } from "../../../scripts/report/types.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function demoRaw(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, "tests/fixtures/report/demo.json"), "utf8"));
}

export function demo(): ReportData {
  return parseReportData(demoRaw());
}

/** A small, hand-made report (2 trades, one losing; 1 open short; 3 days). */
export function tiny(): ReportData {
  return parseReportData({
    generated_at: "2026-02-04T12:00:00Z",
    user: { email: "t@example.com" },
    period: { from: "2026-02-01T00:00:00Z", to: "2026-02-03T23:59:59Z" },
    exchanges: ["binance"],
    headline: {
      realized_gross_pnl: "1240.5",
      realized_net_pnl: "1234.5678",
      fees: "5.9322",
      funding: "0",
      trades: 2,
      winners: 1,
      losers: 1,
      breakeven: 0,
      win_rate: "50",
      profit_factor: "13.5",
      max_drawdown_pct: "1.25",
      max_drawdown_amount: "-125.5",
      twr_pct: "12.345",
      roi_pct: "-0.5",
      sharpe: null,
      net_deposits: "10000",
      equity_start: "0",
      equity_end: "11234.5678",
    },
    equity_curve: [
      { date: "2026-02-01", balance: "10000", realized_pnl: "0", unrealized_pnl: "0", net_flows: "10000", twr_index: "1", is_reconstructed: true },
      { date: "2026-02-02", balance: "9900", realized_pnl: "-98.7654", unrealized_pnl: "0", net_flows: "0", twr_index: "0.99", is_reconstructed: false },
      { date: "2026-02-03", balance: "11234.5678", realized_pnl: "1234.5678", unrealized_pnl: "0", net_flows: "0", twr_index: "1.1234", is_reconstructed: false },
    ],
    trades: [
      {
        exchange: "binance", market_type: "swap", symbol: "BTC/USDT:USDT", side: "SHORT",
        entry_time: "2026-02-01T10:00:00Z", exit_time: "2026-02-02T11:30:00Z",
        entry_price: "100000", exit_price: "100987.654", exit_quantity: "0.1",
        gross_pnl: "-98.7654", net_pnl: "-98.7654", entry_fees: "0", exit_fees: "0",
        exit_type: "SL", pnl_percentage: "-0.987654", hold_duration_seconds: 91800,
      },
      {
        exchange: "binance", market_type: "spot", symbol: "ETH/USDT", side: "LONG",
        entry_time: "2026-02-02T09:00:00Z", exit_time: "2026-02-03T15:45:00Z",
        entry_price: "3000", exit_price: "3400", exit_quantity: "3.335",
        gross_pnl: "1334", net_pnl: "1333.3332", entry_fees: "0.3334", exit_fees: "0.3334",
        exit_type: "TP", pnl_percentage: "13.3266", hold_duration_seconds: 110700,
      },
    ],
    open_positions: [
      {
        exchange: "binance", market_type: "swap", symbol: "SOL/USDT:USDT", side: "SHORT",
        quantity: "12.5", entry_price: "150", current_price: "160.2", unrealized_pnl: "-127.5",
        opened_at: "2026-02-03T08:00:00Z",
      },
    ],
    metrics: [
      { period_type: "ALL_TIME", period_start: "2026-02-01T00:00:00Z", exchange: null, total_trades: 2, win_rate: "50", total_net_pnl: "1234.5678", profit_factor: "13.5", max_drawdown: "1.25", sharpe_ratio: null },
      { period_type: "DAILY", period_start: "2026-02-02T00:00:00Z", exchange: "binance", total_trades: 1, win_rate: "0", total_net_pnl: "-98.7654", profit_factor: "0", max_drawdown: "1", sharpe_ratio: "-1.5" },
    ],
    pnl_by_symbol: [
      { symbol: "ETH/USDT", exchange: "binance", net_pnl: "1333.3332", trades: 1 },
      { symbol: "BTC/USDT:USDT", exchange: "binance", net_pnl: "-98.7654", trades: 1 },
    ],
    notes: ["A <b>note</b> & more"],
  });
}

export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, " ")
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}
