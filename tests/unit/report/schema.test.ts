import { describe, expect, it } from "vitest";
import { parseReportData, ReportDataError } from "../../../scripts/report/types.ts";
import { demoRaw } from "./helpers.ts";

function errorOf(input: unknown): ReportDataError {
  try {
    parseReportData(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ReportDataError);
    return e as ReportDataError;
  }
  throw new Error("expected parseReportData to throw");
}

describe("ReportData schema", () => {
  it("accepts the demo input", () => {
    const d = parseReportData(demoRaw());
    expect(d.trades).toHaveLength(29);
    expect(d.open_positions).toHaveLength(4);
    expect(d.headline.realized_net_pnl).toBe("6400.15157057");
  });

  it("names the field, says what it expected and what it got, for an amount given as a number", () => {
    const raw = demoRaw() as { trades: Record<string, unknown>[] };
    raw.trades[3].net_pnl = 12.5;
    const e = errorOf(raw);
    expect(e.message).toContain("trades[3].net_pnl");
    expect(e.message).toContain('expected a decimal string like "-12.5"');
    expect(e.message).toContain("not JS numbers");
    expect(e.message).toContain("12.5");
    expect(e.problems).toHaveLength(1);
  });

  it("rejects a missing field, a bad enum, a bad date and a malformed decimal, each by its path", () => {
    const raw = demoRaw() as Record<string, any>;
    delete raw.headline.fees;
    raw.trades[0].side = "long";
    raw.trades[1].exit_time = "yesterday";
    raw.open_positions[0].quantity = "1,000.5";
    raw.equity_curve[2].date = "2026-13-01";
    raw.metrics[0].period_type = "YEARLY";
    const e = errorOf(raw);
    const m = e.message;
    expect(m).toMatch(/^ReportData is invalid \(6 problems\)/);
    expect(m).toContain("headline.fees: expected a decimal string");
    expect(m).toContain("missing");
    expect(m).toContain('trades[0].side: expected "LONG" or "SHORT", got "long"');
    expect(m).toContain('trades[1].exit_time: expected an ISO 8601 timestamp like "2026-06-03T10:12:30Z", got "yesterday"');
    expect(m).toContain('open_positions[0].quantity: expected a decimal string like "-12.5", got "1,000.5"');
    expect(m).toContain('equity_curve[2].date: expected a day like "2026-05-01", got "2026-13-01"');
    expect(m).toContain("metrics[0].period_type: expected one of DAILY, WEEKLY, MONTHLY, ALL_TIME");
  });

  it("rejects a non-integer count", () => {
    const raw = demoRaw() as Record<string, any>;
    raw.headline.trades = 2.5;
    expect(errorOf(raw).message).toContain("headline.trades: expected a whole number >= 0, got the number 2.5");
  });

  it("rejects something that is not a report at all", () => {
    expect(errorOf(null).message).toContain("(root)");
    expect(errorOf([]).message).toContain("ReportData is invalid");
  });

  it("turns Date objects into ISO strings and accepts offsets", () => {
    const raw = demoRaw() as Record<string, any>;
    raw.generated_at = new Date("2026-11-01T06:00:00Z");
    raw.trades[0].exit_time = "2026-05-22T09:12:42+00:00";
    const d = parseReportData(raw);
    expect(d.generated_at).toBe("2026-11-01T06:00:00.000Z");
    expect(d.trades[0].exit_time).toBe("2026-05-22T09:12:42+00:00");
  });

  it("accepts nulls where a number cannot be computed", () => {
    const raw = demoRaw() as Record<string, any>;
    raw.headline.profit_factor = null;
    raw.headline.sharpe = null;
    raw.trades[0].pnl_percentage = null;
    raw.open_positions[0].current_price = null;
    raw.open_positions[0].unrealized_pnl = null;
    expect(() => parseReportData(raw)).not.toThrow();
  });
});
