// All-or-nothing files, line-numbered errors, unknown formats, empty inputs.
import { describe, expect, it } from "vitest";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const HEADER = "Date(UTC),Pair,Side,Price,Executed,Amount,Fee";
const GOOD = "2026-05-05 13:02:41,BTCUSDT,BUY,96500.1,0.05000000BTC,4825.00500000USDT,0.00565430BNB";
const file = (...lines: string[]) => lines.join("\n") + "\n";

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<string | Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      c.close();
    },
  });
}

describe("one bad row", () => {
  it("returns no rows and names line, column, value and problem", async () => {
    const bad = GOOD.replace("96500.1", "96500.1x");
    const r = await parseExport({ text: file(HEADER, GOOD, GOOD, bad, GOOD) });
    expect(r.fills).toEqual([]);
    expect(r.transfers).toEqual([]);
    expect(r.errors).toEqual([{ line: 4, column: "Price", value: "96500.1x", problem: "not a decimal number" }]);
  });

  it("collects every problem of every row, in line order", async () => {
    const r = await parseExport({
      text: file(
        HEADER,
        GOOD,
        "2026-13-05 13:02:41,BTCUSDT,HOLD,-1,0.05000000BTC,4825.00500000USDT,0.00565430BNB",
        "2026-05-05 13:02:41,BTCXYZ,BUY,1,1BTC,1USDT,0BNB",
        "2026-05-05 13:02:41,BTCUSDT,BUY,1",
      ),
    });
    expect(r.fills).toEqual([]);
    expect(r.errors).toEqual([
      { line: 3, column: "Date(UTC)", value: "2026-13-05 13:02:41", problem: "not a date-time (expected YYYY-MM-DD HH:MM:SS)" },
      { line: 3, column: "Side", value: "HOLD", problem: "expected BUY or SELL" },
      { line: 3, column: "Price", value: "-1", problem: "must be greater than zero" },
      {
        line: 4, column: "Pair", value: "BTCXYZ",
        problem: expect.stringMatching(/^"BTCXYZ" does not end in a known quote asset/),
      },
      { line: 5, column: null, value: "2026-05-05 13:02:41,BTCUSDT,BUY,1", problem: "expected 7 columns, found 4" },
    ]);
    expect(r.errorCount).toBe(5);
  });

  it("line numbers count blank lines and CRLF files", async () => {
    const bad = GOOD.replace("BUY", "BYU");
    const r = await parseExport({ text: [HEADER, GOOD, "", "", bad, ""].join("\r\n") });
    expect(r.errors).toEqual([{ line: 5, column: "Side", value: "BYU", problem: "expected BUY or SELL" }]);
  });

  it("a duplicate exchange trade id in one file is an error", async () => {
    const h = "Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset";
    const row = "2026-06-09 03:27:16,1,77,BTCUSDT,SELL,101378.2,0.030,3041.346,1.520673,USDT,0,USDT";
    const r = await parseExport({ text: file(h, row, row.replace("SELL", "BUY")) });
    expect(r.fills).toEqual([]);
    expect(r.errors).toEqual([
      { line: 3, column: "Trade ID", value: "77", problem: "duplicate trade id (also on line 2)" },
    ]);
  });

  it("maxErrors caps the list, not the count", async () => {
    const bad = GOOD.replace("BUY", "X");
    const r = await parseExport({ text: file(HEADER, ...Array(50).fill(bad)), maxErrors: 10 });
    expect(r.errors).toHaveLength(10);
    expect(r.errorCount).toBe(50);
  });
});

describe("wrong format", () => {
  it("an unknown header names the expected formats and their headers", async () => {
    const r = await parseExport({ text: file("Time,Coin,Qty", "1,2,3") });
    expect(r.fills).toEqual([]);
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0];
    expect(e).toMatchObject({ line: 1, column: null, value: "Time,Coin,Qty" });
    expect(e.problem).toContain("Unknown export format");
    expect(e.problem).toContain("Binance spot trade history (Date(UTC) layout) [binance spot-trades]: Date(UTC),Pair,Side,Price,Executed,Amount,Fee");
    expect(e.problem).toContain("Bitget USDT-M futures fills");
    expect(e.problem).toContain("MEXC spot trade history");
  });

  it("with exchange and kind given, names only that format", async () => {
    const r = await parseExport({ text: file("Date(UTC),Symbol,Side", "1,2,3"), exchange: "binance", kind: "futures-trades" });
    const all = [
      "Binance USDⓈ-M futures trade history [binance futures-trades]: Uid,Time,Symbol,Side,Price,Quantity,Amount,Fee,Realized Profit,Buyer,Maker,Trade ID,Order ID",
      "Binance USDⓈ-M futures trade history (Date(UTC) layout) [binance futures-trades]: Date(UTC),Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset",
      "Binance USDⓈ-M futures trade history (Date(UTC) layout with ids) [binance futures-trades]: Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset",
    ];
    // The closest first (most column names in common with the file's), then every layout of that kind.
    expect(r.errors[0].problem).toBe(
      "Unknown export format for binance futures-trades: the header must be exactly one of the known layouts. " +
        `Closest: ${[all[1], all[2], all[0]].join("; ")}. All: ${all.join("; ")}`,
    );
  });

  it("a known file uploaded as the wrong kind says what it is", async () => {
    const r = await parseExport({ text: file(HEADER, GOOD), exchange: "bitget" });
    expect(r.fills).toEqual([]);
    expect(r.errors[0].problem).toMatch(/^This file is a Binance spot trade history \(Date\(UTC\) layout\) \[binance spot-trades\] export, not bitget\. Expected formats: Bitget spot order details \(fills\)/);
  });

  it("header detection is strict: a renamed column is not guessed", async () => {
    const r = await parseExport({ text: file(HEADER.replace("Executed", "Filled"), GOOD) });
    expect(r.errors[0].problem).toContain("Unknown export format");
  });
});

describe("empty inputs", () => {
  it("empty string", async () => {
    const r = await parseExport({ text: "" });
    expect(r.errors).toEqual([{ line: 0, column: null, value: null, problem: "The file is empty (0 bytes)." }]);
  });

  it("0-byte stream", async () => {
    const r = await parseExport({ stream: streamOf([]) });
    expect(r.errors).toEqual([{ line: 0, column: null, value: null, problem: "The file is empty (0 bytes)." }]);
  });

  it("only blank lines", async () => {
    const r = await parseExport({ text: "\n\r\n  \n" });
    expect(r.errors[0].problem).toBe("The file has no header line (only blank lines).");
  });

  it("header only", async () => {
    const r = await parseExport({ text: HEADER + "\n" });
    expect(r.format?.id).toBe("binance-spot-trades");
    expect(r.errors).toEqual([
      { line: 1, column: null, value: null, problem: "The file has a Binance spot trade history (Date(UTC) layout) header but no data rows." },
    ]);
  });

  it("neither or both inputs", async () => {
    expect((await parseExport({})).errors[0].problem).toBe("Give exactly one of text or stream.");
    expect((await parseExport({ text: "", stream: streamOf([]) })).errors[0].problem).toBe("Give exactly one of text or stream.");
  });

  it("a bad utcOffset", async () => {
    const r = await parseExport({ text: HEADER, utcOffset: "Europe/Paris" });
    expect(r.errors[0].problem).toContain("utcOffset");
  });
});

describe("CSV details", () => {
  it("BOM, quoted cells, CRLF and chunks split anywhere (even inside a UTF-8 character)", async () => {
    const text = "\uFEFF" + [HEADER, `"2026-05-05 13:02:41","BTCUSDT","BUY","96500.1","0.05000000BTC","4,825.00500000USDT","0.00565430BNB"`, GOOD].join("\r\n");
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
    const whole = await parseExport({ text });
    const streamed = await parseExport({ stream: streamOf(chunks) });
    expect(whole.errors).toEqual([]);
    expect(streamed).toEqual({ ...whole, bytes: bytes.length });
    expect(whole.fills[0].cost).toBe("4825.005");
    // The two rows are the same trade text: the occurrence index keeps them two fills.
    expect(whole.fills[0].trade_id).not.toBe(whole.fills[1].trade_id);
  });

  it("an unterminated quote is reported on its line", async () => {
    const r = await parseExport({ text: file(HEADER, GOOD, '2026-05-05 13:02:41,"BTCUSDT,BUY,1,1BTC,1USDT,0BNB') });
    expect(r.fills).toEqual([]);
    expect(r.errors[0].line).toBe(3);
    expect(r.errors[0].problem).toMatch(/CSV syntax|columns/);
  });
});

describe("streams", () => {
  it("an unknown header stops reading and cancels the stream", async () => {
    let pulled = 0;
    let canceled = false;
    const stream = new ReadableStream<string>({
      pull(c) {
        pulled++;
        c.enqueue(pulled === 1 ? "Not,A,Known,Header\n" : "1,2,3,4\n");
        if (pulled > 1000) c.close();
      },
      cancel() {
        canceled = true;
      },
    });
    const r = await parseExport({ stream });
    expect(r.errors[0].problem).toContain("Unknown export format");
    expect(canceled).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it("a fee in an asset that is neither BNB nor the pair's is accepted (Binance spot)", async () => {
    const r = await parseExport({
      text: file(HEADER, "2026-05-05 13:02:41,BTCUSDT,BUY,96500,0.01000000BTC,965.00000000USDT,0.96500000FDUSD"),
    });
    expect(r.errors).toEqual([]);
    expect(r.fills[0].fees).toEqual([{ currency: "FDUSD", amount: "0.965" }]);
  });
});
