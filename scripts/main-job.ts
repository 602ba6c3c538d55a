// The main job (`npm start` runs it once the stack is up): a trader's history imported through
// the real import path, positions closed into exact PnL, the portfolio reconstructed, metrics
// computed, then a terminal summary and a self-contained HTML report.
//
//   npx tsx scripts/main-job.ts [--files <dir>] [--user <email>] [--out <dir>] [--utc-offset +08:00]
//
// <dir> holds exchange exports (*.csv, any supported format, detected by header), and optionally
// orders.json and prices.csv (see tests/fixtures/sample-account/EXPECTED.md). Default: the
// shipped sample account. Idempotent: a second run imports nothing new and gives the same numbers.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

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
const { importExport } = await import("../functions/_shared/imports/persist.ts");
const { processUser } = await import("../functions/_shared/positions/process.ts");
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
  for (const f of files) {
    const r = await importExport({ userId: user.id, text: readFileSync(join(dir, f), "utf8"), utcOffset: values["utc-offset"], process: false });
    if (!r.ok) {
      console.error(`main: ${f}: ${r.format ? `${r.error_count} bad row(s)` : "not a supported export"}; nothing of it was imported:`);
      for (const e of r.errors.slice(0, 20)) console.error(`  line ${e.line}${e.column ? ` column "${e.column}"` : ""}: ${e.problem}`);
      process.exitCode = 1;
      continue;
    }
    step(`${f}: ${r.format.label}: ${r.fills.inserted + r.transfers.inserted} new of ${r.fills.in_file + r.transfers.in_file} row(s)`);
  }

  const streams = await processUser(user.id);
  step(`PnL engine: ${streams.length} stream(s), ${streams.reduce((n, s) => n + s.fills, 0)} new fill(s) processed, ${streams.reduce((n, s) => n + s.events, 0)} closing event(s) written`);

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
