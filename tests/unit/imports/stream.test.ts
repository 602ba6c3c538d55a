// A large export streamed in chunks, with progress callbacks and a measured rate.
import { describe, expect, it } from "vitest";
import { parseExport, type ImportProgress } from "../../../functions/_shared/imports/parse.ts";

const ROWS = 50_000;

function bigFile(): string {
  const lines = ["Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset"];
  const t0 = Date.UTC(2026, 4, 1);
  for (let i = 0; i < ROWS; i++) {
    const when = new Date(t0 + i * 37_000).toISOString().slice(0, 19).replace("T", " ");
    const price = (100000 + (i % 997) * 0.1).toFixed(1);
    const qty = ((i % 50) + 1) / 1000;
    const amount = (Number(price) * qty).toFixed(8);
    const fee = (Number(amount) * 0.0005).toFixed(8);
    lines.push(`${when},${8000000 + Math.floor(i / 3)},${500000000 + i},BTCUSDT,${i % 2 ? "SELL" : "BUY"},${price},${qty.toFixed(3)},${amount},${fee},USDT,0,USDT`);
  }
  return lines.join("\n") + "\n";
}

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i >= bytes.length) return c.close();
      c.enqueue(bytes.slice(i, i + size));
      i += size;
    },
  });
}

describe("streaming a large export", () => {
  it(`parses ${ROWS} rows from a byte stream with progress`, async () => {
    const text = bigFile();
    const bytes = new TextEncoder().encode(text);
    const progress: ImportProgress[] = [];
    const t = performance.now();
    const r = await parseExport({
      stream: chunked(bytes, 64 * 1024 + 3),
      exchange: "binance",
      kind: "futures-trades",
      onProgress: (p) => progress.push(p),
    });
    const ms = performance.now() - t;
    console.log(
      `streamed ${ROWS} rows (${(bytes.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms: ` +
        `${Math.round(ROWS / (ms / 1000))} rows/s, ${progress.length} progress callbacks`,
    );
    expect(r.errors).toEqual([]);
    expect(r.fills).toHaveLength(ROWS);
    expect(r.rows).toBe(ROWS);
    expect(r.bytes).toBe(bytes.length);
    expect(progress.length).toBeGreaterThan(10);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].rows).toBeGreaterThanOrEqual(progress[i - 1].rows);
      expect(progress[i].bytes).toBeGreaterThanOrEqual(progress[i - 1].bytes);
    }
    expect(progress.at(-1)).toEqual({ rows: ROWS, bytes: bytes.length });
    expect(r.fills[ROWS - 1].trade_id).toBe(String(500000000 + ROWS - 1));
    expect(r.fills[1]).toMatchObject({ side: "sell", price: "100000.1", amount: "0.002", symbol: "BTC/USDT:USDT" });
  });

  it("a bad row deep in a large stream is found by line number and nothing is returned", async () => {
    const lines = bigFile().split("\n");
    lines[43211] = lines[43211].replace("BTCUSDT", "BTC?USDT");
    const r = await parseExport({ stream: chunked(new TextEncoder().encode(lines.join("\n")), 100_000) });
    expect(r.fills).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 43212, column: "Symbol", value: "BTC?USDT" });
  });

  it("a string input of the same size reports progress too, and async iterables of strings work", async () => {
    const text = bigFile();
    let calls = 0;
    const a = await parseExport({ text, onProgress: () => calls++ });
    expect(a.fills).toHaveLength(ROWS);
    expect(calls).toBeGreaterThan(1);
    async function* pieces() {
      for (let i = 0; i < text.length; i += 10_007) yield text.slice(i, i + 10_007);
    }
    const b = await parseExport({ stream: pieces() });
    expect(b.fills.map((f) => f.trade_id)).toEqual(a.fills.map((f) => f.trade_id));
  });

  it("synthetic ids for a large export without ids stay unique and stable", async () => {
    const lines = ["Date(UTC),Pair,Side,Price,Executed,Amount,Fee"];
    for (let i = 0; i < 20_000; i++) {
      // many repeated identical rows: the occurrence index separates them
      lines.push(`2026-05-01 00:00:${String(i % 60).padStart(2, "0")},ETHUSDT,BUY,3000,0.10000000ETH,300.00000000USDT,0.00010000BNB`);
    }
    const text = lines.join("\n");
    const t = performance.now();
    const x = await parseExport({ text });
    console.log(`20000 rows with synthetic ids in ${(performance.now() - t).toFixed(0)} ms`);
    const y = await parseExport({ text });
    expect(new Set(x.fills.map((f) => f.trade_id)).size).toBe(20_000);
    expect(x.fills.map((f) => f.trade_id)).toEqual(y.fills.map((f) => f.trade_id));
  });
});
