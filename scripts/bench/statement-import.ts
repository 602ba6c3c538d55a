/**
 * Benchmark of a large Binance Transaction History statement through the real import path:
 * a statement of N rows (default 200,000) in the `User_ID,UTC_Time,Account,Operation,Coin,
 * Change,Remark` layout, generated with the operations real statements carry (spot trades as
 * Transaction Buy / Spend / Fee and Sold / Revenue / Fee legs, deposits, withdrawals, moves between
 * the user's own accounts, funding and realized-PnL rows), imported end to end with `importExport`
 * (stream → parse → ledger pairing → one transaction of batched inserts with fees_tracking), beside,
 * in the same run, the same fills written by raw COPY into `fills`. Then the same file again: it
 * must add nothing.
 *
 *   BENCH_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres npx tsx scripts/bench/statement-import.ts [--rows N]
 *
 * Reported, not asserted (shared machine): rows/s of the import, fills/s of both, their ratio.
 */
import postgres from "postgres";
import { Readable } from "node:stream";
import { mulberry32 } from "../../tests/support/prng.ts";
import { benchUser, copyRows } from "./lib/db.ts";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("rows", 200_000);
const URL_ = process.env.BENCH_DB_URL ?? process.env.SUPABASE_DB_URL ??
  `postgresql://postgres:postgres@127.0.0.1:${process.env.STACK_DB_PORT ?? 54322}/postgres`;
process.env.SUPABASE_DB_URL = URL_;

const { importExport } = await import("../../functions/_shared/imports/persist.ts");
const { parseExport } = await import("../../functions/_shared/imports/parse.ts");
const { fingerprint } = await import("../../functions/_shared/imports/ids.ts");
const { closeDb } = await import("../../functions/_shared/db.ts");

const PAIRS: [string, string, number][] = [["BTC", "USDT", 60000], ["ETH", "USDT", 3000], ["SOL", "USDT", 150], ["BNB", "USDT", 600], ["ETH", "BTC", 0.05]];

/** A statement of about `n` rows; every trade at its own second, as one order's legs. */
function statement(n: number): string {
  const r = mulberry32(17);
  const lines = ["User_ID,UTC_Time,Account,Operation,Coin,Change,Remark"];
  let t = Date.UTC(2022, 0, 1);
  const at = () => new Date((t += 1000 + Math.floor(r() * 60_000))).toISOString().slice(0, 19).replace("T", " ");
  const row = (time: string, account: string, op: string, coin: string, change: string) =>
    lines.push(`12345678,${time},${account},${op},${coin},${change},""`);
  while (lines.length - 1 < n) {
    const x = r();
    const time = at();
    if (x < 0.9) {
      const [base, quote, px] = PAIRS[Math.floor(r() * PAIRS.length)];
      const qty = (Math.floor(r() * 1e6) / 1e6 + 0.001).toFixed(8);
      const cost = (Number(qty) * px * (0.9 + r() * 0.2)).toFixed(8);
      const feeBnb = r() < 0.5;
      if (r() < 0.5) {
        row(time, "Spot", "Transaction Buy", base, qty);
        row(time, "Spot", "Transaction Spend", quote, `-${cost}`);
        row(time, "Spot", "Transaction Fee", feeBnb ? "BNB" : base, `-${(Number(qty) * 0.001).toFixed(8)}`);
      } else {
        row(time, "Spot", "Transaction Sold", base, `-${qty}`);
        row(time, "Spot", "Transaction Revenue", quote, cost);
        row(time, "Spot", "Transaction Fee", feeBnb ? "BNB" : quote, `-${(Number(cost) * 0.001).toFixed(8)}`);
      }
    } else if (x < 0.93) {
      row(time, "Spot", "Deposit", "USDT", (100 + Math.floor(r() * 10000)).toFixed(2));
    } else if (x < 0.95) {
      row(time, "Spot", "Withdraw", "USDT", `-${(10 + Math.floor(r() * 1000)).toFixed(2)}`);
    } else if (x < 0.97) {
      const v = (10 + Math.floor(r() * 1000)).toFixed(8);
      row(time, "Spot", "Transfer Between Spot Account and UM Futures Account", "USDT", `-${v}`);
      row(time, "USD-M Futures", "Transfer Between Spot Account and UM Futures Account", "USDT", v);
    } else if (x < 0.985) {
      row(time, "USD-M Futures", "Funding Fee", "USDT", `-${(r() * 2).toFixed(8)}`);
    } else {
      row(time, "USD-M Futures", "Realized Profit and Loss", "USDT", ((r() - 0.5) * 100).toFixed(8));
    }
  }
  return lines.join("\n") + "\n";
}

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const sql = postgres(URL_, { max: 2, onnotice: () => {} });
const users: string[] = [];
try {
  const text = statement(N);
  const bytes = Buffer.byteLength(text);
  const rows = text.split("\n").length - 2;
  console.log(`statement: ${rows.toLocaleString("en-US")} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB`);

  const imp = await benchUser(sql, "statement");
  const copy = await benchUser(sql, "statement-copy");
  users.push(imp, copy);

  // 1. The import path, streamed in 64 KiB chunks as the CLI reads a file.
  let progressCalls = 0;
  const t0 = performance.now();
  const res = await importExport({
    userId: imp, text: undefined, process: false, fileName: "statement.csv",
    stream: Readable.toWeb(Readable.from(chunks(Buffer.from(text), 64 * 1024))) as never,
    onProgress: () => void progressCalls++,
  });
  const importMs = performance.now() - t0;
  if (!res.ok) throw new Error(`import failed: ${JSON.stringify(res.errors.slice(0, 3))}`);
  console.log(`import: ${res.fills.inserted.toLocaleString("en-US")} fills, ${res.transfers.inserted.toLocaleString("en-US")} transfers, ` +
    `${res.unpaired.count.toLocaleString("en-US")} unpaired, skipped ${res.skipped.map((s) => `${s.rows} ${s.operation}`).join(", ")}`);
  console.log(`import: ${(importMs / 1000).toFixed(2)} s → ${Math.round(rows / (importMs / 1000)).toLocaleString("en-US")} rows/s, ` +
    `${Math.round(res.fills.inserted / (importMs / 1000)).toLocaleString("en-US")} fills/s (parse + pairing + insert + fees_tracking; ${progressCalls} progress reports)`);

  // 2. The same fills by raw COPY into fills (no parsing, no checks, no fees_tracking): the floor.
  const tp = performance.now();
  const parsed = await parseExport({ text, fileName: "statement.csv" });
  const parseMs = performance.now() - tp;
  console.log(`of which parsing and pairing alone (measured again, no database): ${(parseMs / 1000).toFixed(2)} s → ${Math.round(rows / (parseMs / 1000)).toLocaleString("en-US")} rows/s`);
  const cols = ["user_id", ...Object.keys(parsed.fills[0]), "fingerprint"];
  const copyMs = await copyRows(sql, "fills", cols, parsed.fills.map((f) => [copy, ...Object.values(f), fingerprint(f)]));
  console.log(`COPY:   ${(copyMs / 1000).toFixed(2)} s → ${Math.round(parsed.fills.length / (copyMs / 1000)).toLocaleString("en-US")} fills/s`);
  console.log(`import end to end takes ${(importMs / copyMs).toFixed(1)}× the COPY time of its fills (target, not asserted: within 10×)`);

  // 3. Idempotency: the same file again adds nothing.
  const t1 = performance.now();
  const again = await importExport({ userId: imp, text, process: false, fileName: "statement.csv" });
  if (!again.ok) throw new Error("re-import failed");
  console.log(`re-import: ${again.fills.inserted} fills and ${again.transfers.inserted} transfers added in ${((performance.now() - t1) / 1000).toFixed(2)} s` +
    (again.fills.inserted + again.transfers.inserted === 0 ? " (idempotent)" : "  !! NOT IDEMPOTENT"));
  if (again.fills.inserted + again.transfers.inserted !== 0) process.exitCode = 1;
} finally {
  for (const u of users) {
    await sql`delete from public.fees_tracking where user_id = ${u}`;
    await sql`delete from public.fills where user_id = ${u}`;
    await sql`delete from public.transfers where user_id = ${u}`;
    await sql`delete from auth.users where id = ${u}`;
  }
  await sql.end();
  await closeDb();
}
