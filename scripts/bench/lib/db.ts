/**
 * Database helpers shared by the benchmarks: a throwaway user, and COPY of rows into a table.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type postgres from "postgres";

type Sql = postgres.Sql;

/** A confirmed auth user `bench-<label>-<id>@example.test` (the benches delete theirs afterwards). */
export async function benchUser(sql: Sql, label: string): Promise<string> {
  const id = randomUUID();
  await sql`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
                                    raw_user_meta_data, created_at, updated_at)
            values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated',
                    ${`bench-${label}-${id.slice(0, 8)}@example.test`}, '', now(), '{}', '{}', now(), now())`;
  return id;
}

/** One value in COPY's text format: NULL as \N, booleans t/f, objects as JSON, escapes applied. */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  const s = typeof v === "boolean" ? (v ? "t" : "f") : typeof v === "object" ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** COPY `rows` (values in `cols` order) into `public.<table>`; answers the milliseconds it took. */
export async function copyRows(sql: Sql, table: string, cols: string[], rows: Iterable<unknown[]>): Promise<number> {
  const t = performance.now();
  const stream = await sql.unsafe(`copy public.${table} (${cols.join(", ")}) from stdin`).writable();
  let buf = "";
  for (const r of rows) {
    buf += r.map(copyField).join("\t") + "\n";
    if (buf.length > 1 << 20) {
      if (!stream.write(buf)) await new Promise<void>((res) => stream.once("drain", () => res()));
      buf = "";
    }
  }
  await new Promise<void>((resolve, reject) => {
    stream.on("error", reject);
    stream.on("finish", () => resolve());
    stream.end(buf);
  });
  return performance.now() - t;
}

/** A process's /proc stat: its command name and the fields after it (field 3 of stat(5) at index 0). */
function procStat(pid: number | string): { comm: string; f: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), f: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return null; // ended meanwhile, or not Linux
  }
}
const TICK_MS = 1000 / 100; // USER_HZ
const isPostgres = (p: { comm: string } | null) => p !== null && (p.comm === "postgres" || p.comm === "postmaster");

/** CPU time (user + system, ms) of one local server backend (`pg_backend_pid()`); NaN where not readable. */
export function backendCpuMs(pid: number): number {
  const p = procStat(pid);
  return p ? (Number(p.f[11]) + Number(p.f[12])) * TICK_MS : NaN;
}

/**
 * CPU time (user + system, ms) the local PostgreSQL server has used so far: its live processes
 * plus the children the postmaster has reaped (ended sessions). Linux /proc; NaN where the server
 * is not a local process (BENCH_DB_URL elsewhere).
 */
export function databaseCpuMs(): number {
  let total = 0;
  let postmaster = false;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((x) => /^\d+$/.test(x));
  } catch {
    return NaN;
  }
  for (const pid of pids) {
    const p = procStat(pid);
    if (!p || !isPostgres(p)) continue;
    total += (Number(p.f[11]) + Number(p.f[12])) * TICK_MS; // utime, stime
    if (!isPostgres(procStat(p.f[1]))) { // the postmaster: add its reaped sessions (cutime, cstime)
      total += (Number(p.f[13]) + Number(p.f[14])) * TICK_MS;
      postmaster = true;
    }
  }
  return postmaster ? total : NaN;
}
