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

/**
 * CPU time (user + system, ms) the local PostgreSQL server has used so far: its live processes
 * plus the children the postmaster has reaped (ended sessions). Linux /proc; NaN where the server
 * is not a local process (BENCH_DB_URL elsewhere).
 */
export function databaseCpuMs(): number {
  try {
    const ticks = (f: string[], a: number, b: number) => Number(f[a]) + Number(f[b]);
    let total = 0;
    let postmaster = false;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue; // ended meanwhile
      }
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "postgres" && comm !== "postmaster") continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += ticks(f, 11, 12); // utime, stime
      const ppid = Number(f[1]);
      if (ppid === 1 || !isPostgres(ppid)) {
        total += ticks(f, 13, 14); // cutime, cstime: reaped sessions
        postmaster = true;
      }
    }
    return postmaster ? (total * 1000) / 100 : NaN;
  } catch {
    return NaN;
  }
}

function isPostgres(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    return comm === "postgres" || comm === "postmaster";
  } catch {
    return false;
  }
}
