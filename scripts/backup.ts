/**
 * Backup and restore of the project's data (the spec's backup section; issue 10, item 5).
 *
 *   npx tsx scripts/backup.ts dump <file> [--db-url <url>] [--snapshot <id>]
 *   npx tsx scripts/backup.ts restore <file> --db-url <url>
 *
 * dump: one pg_dump archive in custom format (-Fc, compressed) of the schemas public, private,
 *   supabase_migrations, auth (auth.users and the rest of Supabase Auth's tables) and cron (the
 *   jobs; not their run history, cron.job_run_details). Schema and data are both in the archive,
 *   so it can be inspected with `pg_restore -l`, but the schema of record is the migrations.
 *   Default source: the local stack (`npm run stack -- env`, as the superuser supabase_admin).
 *   `--snapshot` dumps from a snapshot exported with pg_export_snapshot() (consistent comparisons).
 *
 * restore: into a database whose schema comes from the same migrations (a fresh `npm run stack --
 *   up`, or a new Supabase project after `supabase db push`): checks that the target has applied
 *   every migration the archive has, empties the target's copies of the archived tables, then
 *   loads every table's data and sequence positions with triggers disabled (no audit rows, no
 *   profile-on-signup rows, no foreign-key order problems), in one transaction: all or nothing.
 *   Restored pg_cron jobs are pointed at the target server (cron.job.nodename/nodeport hold the
 *   server they connect back to: left as dumped, they would run against the source's address).
 *   The role of --db-url must be allowed to disable triggers (supabase_admin locally; on a hosted
 *   project the `postgres` role through the pooler's session mode).
 *
 * Uses Debian's postgresql-client-15 (pg_dump/pg_restore/psql 15).
 */
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PG_BIN = "/usr/lib/postgresql/15/bin";
const SCHEMAS = ["public", "private", "supabase_migrations", "auth", "cron"];
/** Tables dumped without their rows (history, not state). */
const EXCLUDE_DATA = ["cron.job_run_details"];

class UsageError extends Error {}

function bin(name: string): string {
  const p = join(PG_BIN, name);
  return existsSync(p) ? p : name;
}

function run(cmd: string, args: string[], opts: { input?: string } = {}): string {
  const r = spawnSync(bin(cmd), args, { encoding: "utf8", input: opts.input, maxBuffer: 1 << 30 });
  if (r.error) throw new UsageError(`${cmd}: ${r.error.message} (is postgresql-client-15 installed?)`);
  if (r.status !== 0) throw new UsageError(`${cmd} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n")}`);
  return r.stdout;
}

/** The local stack's database URL as the superuser (honours STACK_DIR / STACK_DB_PORT). */
function localDbUrl(): string {
  const out = execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env"], { encoding: "utf8", cwd: ROOT });
  const line = out.split("\n").find((l) => l.startsWith("SUPABASE_DB_URL="));
  if (!line) throw new UsageError("could not read SUPABASE_DB_URL from `npm run stack -- env`: is the stack up?");
  return line.slice("SUPABASE_DB_URL=".length).replace(/\/\/postgres:/, "//supabase_admin:");
}

function psql(url: string, sql: string): string {
  return run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]);
}

export function dump(file: string, opts: { dbUrl?: string; snapshot?: string } = {}): { file: string; tables: number } {
  const url = opts.dbUrl ?? localDbUrl();
  const args = ["-Fc", "-Z", "6", "-d", url, "-f", file, ...SCHEMAS.flatMap((s) => ["-n", s]), ...EXCLUDE_DATA.flatMap((t) => ["--exclude-table-data", t])];
  if (opts.snapshot) args.push("--snapshot", opts.snapshot);
  run("pg_dump", args);
  return { file, tables: dataEntries(file).tables.length };
}

interface TocEntry { line: string; kind: "TABLE DATA" | "SEQUENCE SET"; schema: string; name: string }

/** The archive's data entries (table rows and sequence positions), from `pg_restore -l`. */
function dataEntries(file: string): { toc: string; entries: TocEntry[]; tables: string[] } {
  const toc = run("pg_restore", ["-l", file]);
  const entries: TocEntry[] = [];
  for (const line of toc.split("\n")) {
    if (line.startsWith(";") || !line.trim()) continue;
    const m = /^\d+; \d+ \d+ (TABLE DATA|SEQUENCE SET) (\S+) (\S+) /.exec(line);
    if (m) entries.push({ line, kind: m[1] as TocEntry["kind"], schema: m[2], name: m[3] });
  }
  const tables = entries.filter((e) => e.kind === "TABLE DATA").map((e) => `${e.schema}.${e.name}`);
  return { toc, entries, tables };
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Migration versions recorded in the archive (the rows of supabase_migrations.schema_migrations). */
function archivedMigrations(file: string): string[] {
  const sqlText = run("pg_restore", ["-a", "-n", "supabase_migrations", "-t", "schema_migrations", "-f", "-", file]);
  const copy = /COPY supabase_migrations\.schema_migrations \(([^)]*)\) FROM stdin;\n([\s\S]*?)\n\\\.\n/.exec(sqlText);
  if (!copy) return [];
  const cols = copy[1].split(",").map((c) => c.trim());
  const vi = cols.indexOf("version");
  return copy[2].split("\n").filter(Boolean).map((l) => l.split("\t")[vi]);
}

export function restore(file: string, dbUrl: string): { tables: number; rows?: number } {
  if (!existsSync(file)) throw new UsageError(`no such archive: ${file}`);
  const { entries, tables } = dataEntries(file);
  if (tables.length === 0) throw new UsageError(`${file} holds no table data`);
  // The target must have the schema of the archive: every archived migration applied.
  const wanted = archivedMigrations(file);
  const hasTable = psql(dbUrl, "select to_regclass('supabase_migrations.schema_migrations') is not null").trim() === "t";
  const applied = hasTable ? psql(dbUrl, "select version from supabase_migrations.schema_migrations").split("\n").map((s) => s.trim()).filter(Boolean) : [];
  const missing = wanted.filter((v) => !applied.includes(v));
  if (missing.length) {
    throw new UsageError(`the target lacks ${missing.length} migration(s) of the archive (first: ${missing[0]}): apply the migrations first (npm run stack -- up, or supabase db push), then restore`);
  }
  const absent = psql(dbUrl, `select string_agg(t, ', ') from unnest(array[${tables.map((t) => `'${t.replaceAll("'", "''")}'`).join(", ")}]) t where to_regclass(t) is null`).trim();
  if (absent) throw new UsageError(`tables of the archive missing in the target: ${absent}`);

  const dir = mkdtempSync(join(tmpdir(), "restore-"));
  try {
    // 1. One script: empty the target's tables, then the data (triggers off), all in one transaction.
    const list = join(dir, "data.list");
    writeFileSync(list, entries.map((e) => e.line).join("\n") + "\n");
    const data = join(dir, "data.sql");
    run("pg_restore", ["-a", "--disable-triggers", "-L", list, "-f", data, file]);
    const truncate = `truncate table ${tables.map((t) => t.split(".").map(ident).join(".")).join(", ")} cascade;\n`;
    const script = join(dir, "restore.sql");
    // pg_cron jobs carry the server they connect back to (cron.host and the port): point the
    // restored jobs at the target, never at the server the archive came from.
    const rehome = tables.includes("cron.job")
      ? "update cron.job set nodename = coalesce(nullif(current_setting('cron.host', true), ''), 'localhost'), nodeport = current_setting('port')::int;\n"
      : "";
    writeFileSync(script, `\\set ON_ERROR_STOP 1\nbegin;\n${truncate}\\i ${data}\n${rehome}commit;\n`);
    run("psql", ["-X", "-q", "-d", dbUrl, "-f", script]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { tables: tables.length };
}

function usage(): never {
  throw new UsageError("usage: npx tsx scripts/backup.ts dump <file> [--db-url <url>] [--snapshot <id>] | restore <file> --db-url <url>");
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith("--")) usage();
  return v;
}

async function main(argv: string[]): Promise<void> {
  const [cmd, file, ...rest] = argv;
  if (!cmd || !file || file.startsWith("--")) usage();
  const t0 = performance.now();
  if (cmd === "dump") {
    const r = dump(resolve(file), { dbUrl: flag(rest, "--db-url"), snapshot: flag(rest, "--snapshot") });
    console.log(`backup: dumped ${r.tables} tables (schemas ${SCHEMAS.join(", ")}) to ${r.file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else if (cmd === "restore") {
    const url = flag(rest, "--db-url") ?? usage();
    const r = restore(resolve(file), url);
    console.log(`backup: restored ${r.tables} tables from ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    usage();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    if (err instanceof UsageError) {
      console.error(`backup: ${err.message}`);
      process.exit(1);
    }
    throw err;
  });
}
