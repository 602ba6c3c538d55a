// `npm run import -- [--exchange binance] [--kind spot-trades] <file> [--user <email>] [--utc-offset +08:00]`
// Imports an exchange export for a user through the same code as the `import` Edge Function
// (parse → all-or-nothing insert → PnL engine), streaming the file with progress. The file's name
// gives the zone of exports that write local times (`…(UTC+8).csv`); --utc-offset must agree.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";

function usage(msg?: string): never {
  if (msg) console.error(`import: ${msg}`);
  console.error("usage: npm run import -- [--exchange binance|bitget|mexc] [--kind spot-trades|futures-trades|deposits|withdrawals|statement] <file> [--user <email>] [--utc-offset +08:00]");
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: { exchange: { type: "string" }, kind: { type: "string" }, user: { type: "string" }, "utc-offset": { type: "string" } },
  });
} catch (err) {
  usage((err as Error).message);
}
const [file] = args.positionals;
if (!file) usage("name the export file to import");
if (!existsSync(file)) usage(`no such file: ${file}`);
const email = args.values.user ?? "demo@example.com";

// Local stack by default (SUPABASE_DB_URL set → that database).
if (!process.env.SUPABASE_DB_URL) {
  const out = execFileSync("node", ["scripts/stack.mjs", "env"], { encoding: "utf8" });
  for (const line of out.trim().split("\n")) process.env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
}
const { ensureUser } = await import("./lib/users.mjs");
const { importExport } = await import("../functions/_shared/imports/persist.ts");
const { closeDb } = await import("../functions/_shared/db.ts");

const user = await ensureUser(email);
const size = statSync(file).size;
const t0 = performance.now();
let lastPrint = 0;
let writing = 0;
const result = await importExport({
  userId: user.id,
  exchange: args.values.exchange as never,
  kind: args.values.kind as never,
  utcOffset: args.values["utc-offset"],
  fileName: basename(file),
  stream: Readable.toWeb(createReadStream(file)) as never,
  onProgress: ({ rows, bytes }) => {
    const now = performance.now();
    if (now - lastPrint < 250 && bytes < size) return;
    lastPrint = now;
    process.stderr.write(`\rimport: ${rows.toLocaleString("en-US")} rows, ${((100 * bytes) / Math.max(size, 1)).toFixed(0)}%`);
  },
  onWrite: ({ written, total }) => {
    process.stderr.write(`${writing++ ? "\r" : "\n"}import: writing ${written.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} fills and transfers`);
  },
});
process.stderr.write("\n");
await closeDb();
if (!result.ok) {
  console.error(result.format ? `import: ${result.error_count} bad row(s) in this ${result.format.label} export; nothing was imported:` : "import: not a supported export:");
  for (const e of result.errors.slice(0, 50)) {
    console.error(e.line ? `  line ${e.line}${e.column ? `, column "${e.column}"` : ""}${e.value !== null ? ` (${JSON.stringify(e.value)})` : ""}: ${e.problem}` : `  ${e.problem}`);
  }
  if (result.error_count > 50) console.error(`  … and ${result.error_count - 50} more`);
  process.exit(1);
}
const { streams: _s, ...summary } = result;
console.log(JSON.stringify({ user: email, seconds: +((performance.now() - t0) / 1000).toFixed(2), ...summary }, null, 2));
for (const c of result.pnl_check) {
  console.error(`import: ${c.symbol}: exchange realized PnL ${c.exchange_pnl}, engine ${c.engine_gross} before fees (${c.engine_net} after), difference ${c.difference}`);
}
if (result.unpaired.count) console.error(`import: ${result.unpaired.count} ledger row(s) could not be paired without guessing and were not imported (listed under "unpaired")`);
