/**
 * Renders the demo report from tests/fixtures/report/demo.json:
 *   reports/demo.html, reports/demo-1280.png, reports/demo-390.png, and the terminal summary.
 *
 *   npx tsx scripts/report/render-demo.ts [--no-screenshots] [--height 2400]
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { renderHtmlReport } from "./html.ts";
import { screenshot } from "./screenshot.ts";
import { renderTerminalSummary } from "./terminal.ts";
import { parseReportData } from "./types.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const heightArg = args.indexOf("--height");
const height = heightArg >= 0 ? Number(args[heightArg + 1]) : 2400;

const data = parseReportData(JSON.parse(readFileSync(join(ROOT, "tests/fixtures/report/demo.json"), "utf8")));
const outDir = join(ROOT, "reports");
mkdirSync(outDir, { recursive: true });
const html = join(outDir, "demo.html");
writeFileSync(html, renderHtmlReport(data));

process.stdout.write(renderTerminalSummary(data, { color: process.stdout.isTTY, width: Math.min(process.stdout.columns || 100, 100) }));
console.log(`\nHTML report: ${relative(process.cwd(), html)}`);

if (!args.includes("--no-screenshots")) {
  for (const width of [1280, 390]) {
    const png = join(outDir, `demo-${width}.png`);
    const ok = await screenshot(html, png, { width, height });
    console.log(ok ? `screenshot: ${relative(process.cwd(), png)} (${width}×${height})` : "screenshots skipped: chromium not found");
    if (!ok) break;
  }
}
