// The main job (`npm start` runs it once the stack is up): a trader's history imported through
// the real import path, positions closed into exact PnL, the portfolio reconstructed, metrics
// computed, then a terminal summary and a self-contained HTML report.
//
//   npx tsx scripts/main-job.ts [--files <dir>] [--user <email>] [--out <dir>] [--utc-offset +08:00]
//
// <dir> holds exchange exports (*.csv, any supported format, detected by header; a `(UTC+8)` in a
// file's name gives the zone of exports that write local times), and optionally
// orders.json and prices.csv (see tests/fixtures/sample-account/EXPECTED.md). Default: the
// shipped sample account. Idempotent: a second run imports nothing new and gives the same numbers.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { FillRow } from "../functions/_shared/domain/types.ts";
import type { ParseExportResult } from "../functions/_shared/imports/parse.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values } = parseArgs({
  options: {
    files: { type: "string" }, user: { type: "string" }, out: { type: "string" }, "utc-offset": { type: "string" },
    "no-screenshot": { type: "boolean" }, quiet: { type: "boolean" },
  },
});
const dir = resolve(values.files ?? join(ROOT, "tests/fixtures/sample-account"));
const email = values.user ?? "demo@example.com";
const outDir = resolve(values.out ?? join(ROOT, "reports"));
if (!existsSync(dir)) {
  console.error(`main: no such folder: ${dir}`);
  process.exit(2);
}
const step = (msg: string) => process.stderr.write(`• ${msg}\n`);

const { db, closeDb } = await import("../functions/_shared/db.ts");
const { storeParsedExport } = await import("../functions/_shared/imports/persist.ts");
const { crossCheckPnl } = await import("../functions/_shared/imports/crosscheck.ts");
const { processUser } = await import("../functions/_shared/positions/process.ts");
const { parseExport } = await import("../functions/_shared/imports/parse.ts");
const { decodeExport } = await import("../functions/_shared/imports/csv.ts");
const { ensureUser } = await import("./lib/users.mjs");
const { loadDailyCloses, loadOrders } = await import("./main/sample-extras.ts");
const { buildReportData } = await import("./main/report-data.ts");
const { parseReportData, renderHtmlReport, renderTerminalSummary, screenshot } = await import("./report/index.ts");

const t0 = performance.now();
const sql = db();
try {
  const user = await ensureUser(email);
  step(`user ${email} (${user.id})`);
  const prices = await loadDailyCloses(sql, dir);
  const orders = await loadOrders(sql, user.id, dir);
  step(`daily closes: ${prices} new; orders: ${orders} new`);

  const files = readdirSync(dir).filter((f) => f.endsWith(".csv") && f !== "prices.csv").sort();
  if (!files.length) throw new Error(`no exchange export (*.csv) in ${dir}`);
  const imported: { file: string; fills: FillRow[]; ledger: { exchange: string; totals: ParseExportResult["exchangePnl"] } }[] = [];
  const summary: string[][] = [["file", "layout", "zone", "rows", "new", "duplicates", "unpaired"]];
  for (const f of files) {
    const text = decodeExport(readFileSync(join(dir, f))); // UTF-8, or UTF-16 by its BOM (Gate.io)
    // Parsed once: stored now, and its fills and ledger PnL kept for the cross-check after the engine ran.
    const parsed = await parseExport({ text, fileName: f, utcOffset: values["utc-offset"] });
    const r = await storeParsedExport({ userId: user.id, process: false }, parsed);
    if (!r.ok) {
      console.error(`main: ${f}: ${r.format ? `${r.error_count} bad row(s)` : "not a supported export"}; nothing of it was imported:`);
      for (const e of r.errors.slice(0, 20)) console.error(`  line ${e.line}${e.column ? ` column "${e.column}"` : ""}: ${e.problem}`);
      summary.push([f, r.format?.id ?? "unknown", "-", String(r.rows), "0", "0", "-"]);
      process.exitCode = 1;
      continue;
    }
    const added = r.fills.inserted + r.transfers.inserted + r.funding.inserted;
    const dup = r.fills.already_present + r.transfers.already_present + r.funding.already_present;
    const m = r.utc_offset_minutes;
    const zone = `UTC${m ? `${m < 0 ? "-" : "+"}${Math.floor(Math.abs(m) / 60)}${Math.abs(m) % 60 ? `:${String(Math.abs(m) % 60).padStart(2, "0")}` : ""}` : ""}` +
      (r.utc_offset_source === "assumed" ? " (assumed)" : r.utc_offset_source === "file name" ? " (name)" : "");
    summary.push([f, r.format.id, zone, String(r.rows), String(added), String(dup), String(r.unpaired.count)]);
    for (const u of r.unpaired.rows.slice(0, 10)) console.error(`  ${f} line ${u.line}: ${u.operation} ${u.change} ${u.asset}: not imported (${u.reason})`);
    if (r.unpaired.count > 10) console.error(`  ${f}: … and ${r.unpaired.count - 10} more unpaired row(s)`);
    imported.push({ file: f, fills: parsed.fills, ledger: { exchange: r.format.exchange, totals: parsed.exchangePnl } });
  }
  const widths = summary[0].map((_, i) => Math.max(...summary.map((r) => r[i].length)));
  for (const row of summary) process.stderr.write("  " + row.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ") + "\n");

  const streams = await processUser(user.id);
  step(`PnL engine: ${streams.length} stream(s), ${streams.reduce((n, s) => n + s.fills, 0)} new fill(s) processed, ${streams.reduce((n, s) => n + s.events, 0)} closing event(s) written`);
  for (const { file, fills, ledger } of imported) {
    for (const c of await crossCheckPnl(user.id, fills, ledger)) {
      step(`${file}: ${c.symbol} realized PnL: exchange ${c.exchange_pnl}, engine ${c.engine_gross} before fees (${c.engine_net} after), difference ${c.difference}`);
    }
  }

  const [span] = await sql`
    select to_char(min(d), 'YYYY-MM-DD') as first, to_char(max(d), 'YYYY-MM-DD') as last from (
      select executed_at::date as d from public.fills where user_id = ${user.id}
      union all select occurred_at::date from public.transfers where user_id = ${user.id}) x`;
  const [hasReconstruct] = await sql`select to_regprocedure('private.reconstruct_portfolio_history(uuid, date, date)') is not null as ok`;
  if (hasReconstruct.ok) {
    const [r] = await sql`select private.reconstruct_portfolio_history(${user.id}::uuid, ${span.first}::date, ${span.last}::date) as n`;
    step(`portfolio history ${span.first} → ${span.last}: ${r.n} daily point(s) reconstructed`);
  }
  const [hasMetrics] = await sql`select to_regprocedure('private.refresh_performance_metrics(uuid, timestamptz)') is not null as ok`;
  if (hasMetrics.ok) {
    const [r] = await sql`select private.refresh_performance_metrics(${user.id}::uuid, null) as n`;
    step(`performance metrics: ${r.n} row(s)`);
  }

  // The every-minute job's work, now: the stored unrealized PnL equals api/positions/open at once.
  const [u] = await sql`select private.update_unrealized_pnl() as n`;
  step(`unrealized PnL: ${u.n} open position(s) revalued`);

  const data = parseReportData(await buildReportData(sql, user, { from: `${span.first}T00:00:00Z`, to: `${span.last}T23:59:59Z` }));
  mkdirSync(outDir, { recursive: true });
  const htmlPath = join(outDir, "pnl-report.html");
  writeFileSync(htmlPath, renderHtmlReport(data));
  writeFileSync(join(outDir, "pnl-report.json"), JSON.stringify(data, null, 2));
  // The terminal shows the all-exchange totals by month; every period and exchange is in the HTML.
  const terminalData = { ...data, metrics: data.metrics.filter((m) => m.exchange === null && (m.period_type === "ALL_TIME" || m.period_type === "MONTHLY")) };
  if (!values.quiet) process.stdout.write("\n" + renderTerminalSummary(terminalData, { color: process.stdout.isTTY, width: 100 }) + "\n");
  if (!values["no-screenshot"]) {
    const png = join(outDir, "pnl-report.png");
    if (await screenshot(htmlPath, png, { width: 1280, height: 2400 })) step(`screenshot: ${png}`);
  }
  console.log(`\nReport: ${htmlPath}   (data: ${join(outDir, "pnl-report.json")})`);
  console.log(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s. The local stack keeps running; stop it with: npm run stack -- down`);
} finally {
  await closeDb();
}
