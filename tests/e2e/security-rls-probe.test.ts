/**
 * RLS probe over what exists, not what someone remembered (issue 10, item 1).
 *
 * Every table, view, materialized view and function of the schemas PostgREST exposes
 * (`pgrst.db_schemas`) that `anon` or `authenticated` can reach is found in the catalog. Two users
 * get one row in every user-owned table (generic seeding from the catalog, tests/e2e/security/
 * catalog.ts), a third user has nothing (the baseline). Then, as `anon` and as the stranger, each
 * object is probed exactly as PostgREST runs a request (tests/support/db.ts): select, insert as the
 * owner, update and delete of the owner's rows, update that steals or plants rows through the
 * owner column, and every reachable function with argument sets built from its signature (the
 * owner's ids among them). A failure is any row of the owner seen (its user id, its marker, its
 * uuids, or a row the owner sees and the baseline user does not) or any change to the owner's rows
 * (a checksum of all of them after each object, pg_cron paused meanwhile), or any write accepted
 * on shared data. New tables, views and functions are covered without touching this file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asUser, closePools, type Tx } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";
import {
  checksumOthers, diffChecksums, exposure, markerOf, pauseCron, seedUser, userOwnedTables, type Exposure, type FunctionInfo,
  type SeededRow, type TableInfo,
} from "./security/catalog.ts";
import { prng } from "./security/prng.ts";

const SEED = Number(process.env.RLS_PROBE_SEED ?? 20261125);
const FUNCTION_ARG_SETS = 40;

type Actor = { kind: "anon" } | { kind: "user"; user: TestUser; label: string };

let exp: Exposure;
let owned: TableInfo[];
let owner: TestUser;
let stranger: TestUser;
let baseline: TestUser;
let ownerRows: SeededRow[] = [];
let needles: string[] = [];
let resumeCron: (() => Promise<void>) | null = null;
const failures: string[] = [];
/** What the baseline user (who never has data) saw before anyone was seeded: seeding must not change it. */
const preSeed = new Map<string, Set<string>>();
const counts = { tables: 0, views: 0, materializedViews: 0, foreignTables: 0, functions: 0, probes: 0, refused: 0, empty: 0, functionCallsAnswered: 0 };

function run<T>(actor: Actor, fn: (tx: Tx) => Promise<T>, opts: { method: string; path: string; rollback?: boolean }) {
  return actor.kind === "anon" ? asAnon(fn, opts) : asUser(actor.user, fn, opts);
}
const actorName = (a: Actor) => (a.kind === "anon" ? "anon" : a.label);
const q = (id: string) => `"${id.replaceAll('"', '""')}"`;

/** Runs one probe; a refusal (error) is the expected outcome and counted as such. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  counts.probes++;
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    counts.refused++;
    return { ok: false, code: e.code ?? "?", message: e.message ?? String(err) };
  }
}

async function ownerChecksum(): Promise<Record<string, string>> {
  return await checksumOthers({ only: [owner.id] }, owned);
}

/** Row text with clock-derived timestamps (fractional seconds: now(), not seeded) masked. */
const norm = (j: string) => j.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(\+00:00|Z)?/g, "<now>");

function leaksIn(rows: string[], ownerPrivate: Set<string>): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const needle = needles.find((n) => r.includes(n));
    if (needle) out.push(`carries ${needle === owner.id ? "the owner's user id" : `the owner's value ${needle}`}: ${r.slice(0, 300)}`);
    else if (ownerPrivate.has(norm(r))) out.push(`is a row only the owner should see: ${r.slice(0, 300)}`);
  }
  return out;
}

async function selectableColumns(rel: TableInfo, role: string): Promise<string[]> {
  const rows = await adminSql()<{ name: string }[]>`
    select a.attname as name from pg_attribute a
     where a.attrelid = ${rel.oid} and a.attnum > 0 and not a.attisdropped and has_column_privilege(${role}, a.attrelid, a.attnum, 'select')
     order by a.attnum`;
  return rows.map((r) => r.name);
}

async function updatableColumns(rel: TableInfo, role: string): Promise<string[]> {
  const rows = await adminSql()<{ name: string }[]>`
    select a.attname as name from pg_attribute a
     where a.attrelid = ${rel.oid} and a.attnum > 0 and not a.attisdropped and has_column_privilege(${role}, a.attrelid, a.attnum, 'update')
     order by a.attnum`;
  return rows.map((r) => r.name);
}

async function rowsAs(who: Actor, rel: TableInfo, cols: string[]): Promise<string[]> {
  const list = cols.map(q).join(", ");
  const rows = await run(who, (tx) => tx.unsafe(`select to_jsonb(x)::text as j from (select ${list} from ${rel.name}) x`),
    { method: "GET", path: `/${rel.relname}`, rollback: true });
  return rows.map((r) => r.j as string);
}
const normSet = (rows: string[]) => new Set(rows.filter((j) => j !== null).map(norm));

async function probeRelation(rel: Exposure["relations"][number], actor: Actor): Promise<void> {
  const role = actor.kind === "anon" ? "anon" : "authenticated";
  const where = `${rel.name} as ${actorName(actor)}`;
  const path = `/${rel.relname}`;
  const before = await ownerChecksum();
  const isOwned = rel.ownerColumn !== null;

  // SELECT: everything the role may read (all granted columns, as `?select=` would ask).
  const cols = await selectableColumns(rel, role);
  if (cols.length === 0) {
    const r = await attempt(() => run(actor, (tx) => tx.unsafe(`select * from ${rel.name}`), { method: "GET", path, rollback: true }));
    if (r.ok) failures.push(`${where}: select * succeeded although the role holds no column privilege`);
  } else {
    const r = await attempt(() => rowsAs(actor, rel, cols));
    if (r.ok) {
      if (r.value.length === 0) counts.empty++;
      const ownerSees = normSet(await rowsAs({ kind: "user", user: owner, label: "owner" }, rel, cols).catch(() => []));
      const baselineSees = normSet(await rowsAs({ kind: "user", user: baseline, label: "baseline" }, rel, cols).catch(() => []));
      const ownerPrivate = new Set([...ownerSees].filter((x) => !baselineSees.has(x)));
      for (const l of leaksIn(r.value, ownerPrivate)) failures.push(`${where}: select returned a row that ${l}`);
      const earlier = preSeed.get(rel.name);
      if (earlier && actor.kind === "user") {
        const appeared = [...baselineSees].filter((x) => !earlier.has(x));
        for (const x of appeared.slice(0, 3)) failures.push(`${rel.name}: a user with no data sees a row that appeared when others got data: ${x.slice(0, 300)}`);
      }
      if (rel.ownerColumn && cols.includes(rel.ownerColumn)) {
        const f = await attempt(() => run(actor, (tx) => tx.unsafe(`select count(*)::int as n from ${rel.name} where ${q(rel.ownerColumn!)} = $1`, [owner.id]),
          { method: "GET", path: `${path}?${rel.ownerColumn}=eq.${owner.id}`, rollback: true }));
        if (f.ok && f.value[0].n > 0) failures.push(`${where}: select filtered on the owner's id returned ${f.value[0].n} row(s)`);
      }
    }
  }

  // INSERT a row as the owner (the owner's seeded row with fresh natural keys and no generated ids).
  const seeded = ownerRows.find((s) => s.table === rel.name)?.row;
  const template: Record<string, unknown> = seeded ? { ...seeded } : {};
  if (!seeded && rel.ownerColumn) template[rel.ownerColumn] = owner.id;
  for (const c of rel.columns) {
    if (c.identity || c.generated || (c.hasDefault && (rel.pk.includes(c.name) || c.name === "id"))) delete template[c.name];
    const v = template[c.name];
    if (typeof v === "string" && v.includes(markerOf(owner.id))) template[c.name] = `${v}-forged`;
    if (c.type === "uuid" && rel.pk.includes(c.name) && c.name !== rel.ownerColumn) template[c.name] = crypto.randomUUID();
  }
  if (rel.kind !== "m") {
    const keys = Object.keys(template).filter((k) => rel.columns.some((c) => c.name === k));
    const colType = (k: string) => rel.columns.find((c) => c.name === k)!.type;
    const text = keys.length
      ? `insert into ${rel.name} (${keys.map(q).join(", ")}) select * from jsonb_to_record($1::jsonb) as x(${keys.map((k) => `${q(k)} ${colType(k)}`).join(", ")})`
      : `insert into ${rel.name} default values`;
    const r = await attempt(() => run(actor, (tx) => tx.unsafe(text, [JSON.stringify(Object.fromEntries(keys.map((k) => [k, template[k]])))]), { method: "POST", path }));
    if (r.ok && r.value.count > 0) failures.push(`${where}: insert ${isOwned ? "of a row owned by the owner" : "into shared data"} was accepted`);
  }

  // UPDATE the owner's rows (every column the role may update, or the first column to see the refusal),
  // steal them (owner column → stranger) and plant a row (stranger's row → owner).
  if (rel.kind !== "m") {
    const updatable = await updatableColumns(rel, role);
    const targets = updatable.length ? updatable : [rel.columns[0].name];
    const filter = rel.ownerColumn ? `where ${q(rel.ownerColumn)} = $1` : "where true";
    const params = rel.ownerColumn ? [owner.id] : [];
    for (const c of targets) {
      const col = rel.columns.find((x) => x.name === c)!;
      const value = col.type === "text" ? `'probe-${actorName(actor)}'` : q(c);
      const r = await attempt(() => run(actor, (tx) => tx.unsafe(`update ${rel.name} set ${q(c)} = ${value} ${filter}`, params as never[]), { method: "PATCH", path }));
      if (r.ok && r.value.count > 0) failures.push(`${where}: update of ${c} changed ${r.value.count} ${isOwned ? "row(s) of the owner" : "shared row(s)"}`);
    }
    if (rel.ownerColumn && actor.kind === "user") {
      const steal = await attempt(() => run(actor, (tx) => tx.unsafe(`update ${rel.name} set ${q(rel.ownerColumn!)} = $1 where ${q(rel.ownerColumn!)} = $2`, [actor.user.id, owner.id]), { method: "PATCH", path }));
      if (steal.ok && steal.value.count > 0) failures.push(`${where}: moved ${steal.value.count} row(s) of the owner to the stranger`);
      const plant = await attempt(() => run(actor, (tx) => tx.unsafe(`update ${rel.name} set ${q(rel.ownerColumn!)} = $1 where ${q(rel.ownerColumn!)} = $2`, [owner.id, actor.user.id]), { method: "PATCH", path }));
      if (plant.ok && plant.value.count > 0) failures.push(`${where}: planted ${plant.value.count} row(s) on the owner`);
    }
    // DELETE the owner's rows.
    const del = await attempt(() => run(actor, (tx) => tx.unsafe(`delete from ${rel.name} ${filter}`, params as never[]), { method: "DELETE", path }));
    if (del.ok && del.value.count > 0) failures.push(`${where}: delete removed ${del.value.count} ${isOwned ? "row(s) of the owner" : "shared row(s)"}`);
  }

  const changed = diffChecksums(before, await ownerChecksum());
  if (changed.length) failures.push(`${where}: the owner's rows changed: ${changed.join("; ")}`);
}

/** Arguments that ask for as much as possible without naming anybody's ids. */
function wideArgs(fn: FunctionInfo): unknown[] {
  return fn.argTypes.map((t, i) => {
    const late = /to|end|until/.test(fn.argNames[i]);
    if (t === "date") return late ? "2100-01-01" : "2000-01-01";
    if (t.startsWith("timestamp")) return late ? "2100-01-01T00:00:00Z" : "2000-01-01T00:00:00Z";
    if (t === "text") return /period/.test(fn.argNames[i]) ? "all" : null;
    if (t === "integer" || t === "bigint") return /limit/.test(fn.argNames[i]) ? 1000 : null;
    return null;
  });
}

function callFn(fn: FunctionInfo, args: unknown[]) {
  const list = fn.argNames.map((n, i) => `${q(n)} => $${i + 1}::${fn.argTypes[i]}`).join(", ");
  const from = `${fn.name}(${list})`;
  const text = fn.returnType === "void" ? `select null::text as j from ${from}` : `select to_jsonb(x)::text as j from ${from} as x`;
  return (tx: Tx) => tx.unsafe(text, args.map((a) => (a !== null && typeof a === "object" ? JSON.stringify(a) : a)) as never[]);
}

/** Candidate values per argument type: the owner's ids first, then wide ranges, nulls, junk. */
function candidates(typeName: string, typeOid: number, enumLabels: Map<number, string[]>): unknown[] {
  const uuids = needles.filter((n) => /^[0-9a-f-]{36}$/.test(n));
  const bigIds = [...new Set(ownerRows.flatMap((s) => Object.entries(s.row).filter(([k, v]) => /(^|_)id$|_ref$/.test(k) && /^\d+$/.test(String(v))).map(([, v]) => String(v))))];
  if (enumLabels.has(typeOid)) return [null, ...enumLabels.get(typeOid)!];
  switch (typeName) {
    case "uuid": return [owner.id, ...uuids.slice(0, 6), null];
    case "bigint": case "integer": case "smallint": return [...bigIds.slice(0, 6), null, 1000, -1, 0];
    case "numeric": case "double precision": case "real": return [null, 1, 0, -1];
    case "text": case "character varying": return [null, "all", "ALL_TIME", "daily", "monthly", "7d", "1y", markerOf(owner.id), "' or 1=1 --"];
    case "boolean": return [null, true, false];
    case "date": return [null, "2000-01-01", "2100-01-01", "2026-01-10"];
    case "timestamp with time zone": case "timestamp without time zone": return [null, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"];
    case "jsonb": case "json": return [null, {}, { user_id: owner.id }];
    default: return [null];
  }
}

async function probeFunction(fn: FunctionInfo, actors: Actor[], enumLabels: Map<number, string[]>, rand: () => number): Promise<void> {
  const cand = fn.argTypes.map((t, i) => candidates(t, fn.argTypeOids[i], enumLabels));
  const sets: unknown[][] = [cand.map(() => null), wideArgs(fn), cand.map((c) => c[0])];
  // One argument at a time set to each of its candidates (the owner's ids among them), the rest null.
  cand.forEach((c, i) => c.forEach((v) => sets.push(cand.map((_, j) => (j === i ? v : null)))));
  while (sets.length < FUNCTION_ARG_SETS + cand.length) sets.push(cand.map((c) => c[Math.floor(rand() * c.length)]));
  const unique = [...new Map(sets.map((s) => [JSON.stringify(s), s])).values()].slice(0, Math.max(FUNCTION_ARG_SETS, 1));
  const call = (args: unknown[]) => callFn(fn, args);
  const path = `/rpc/${fn.name.split(".").pop()}`;
  for (const args of unique) {
    let ownerPrivate = new Set<string>();
    if (fn.authExec) {
      const own = await run({ kind: "user", user: owner, label: "owner" }, call(args), { method: "POST", path, rollback: true }).catch(() => []);
      const base = normSet((await run({ kind: "user", user: baseline, label: "baseline" }, call(args), { method: "POST", path, rollback: true }).catch(() => [])).map((r) => r.j as string));
      ownerPrivate = new Set([...normSet(own.map((r) => r.j as string))].filter((j) => !base.has(j)));
      const earlier = preSeed.get(`${fn.signature} ${JSON.stringify(args)}`);
      if (earlier) {
        for (const x of [...base].filter((j) => j !== null && !earlier.has(j)).slice(0, 3)) {
          failures.push(`${fn.signature} with ${JSON.stringify(args)}: a user with no data gets a row that appeared when others got data: ${String(x).slice(0, 300)}`);
        }
      }
    }
    for (const actor of actors) {
      const before = fn.volatile ? await ownerChecksum() : null;
      const r = await attempt(() => run(actor, call(args), { method: "POST", path }));
      const where = `${fn.signature} as ${actorName(actor)} with ${JSON.stringify(args)}`;
      if (r.ok) {
        counts.functionCallsAnswered++;
        for (const l of leaksIn(r.value.map((x) => x.j as string).filter((j) => j !== null), ownerPrivate)) failures.push(`${where}: returned a row that ${l}`);
      }
      if (before) {
        const changed = diffChecksums(before, await ownerChecksum());
        if (changed.length) failures.push(`${where}: the owner's rows changed: ${changed.join("; ")}`);
      }
    }
  }
}

beforeAll(async () => {
  resumeCron = await pauseCron();
  exp = await exposure();
  owned = await userOwnedTables();
  owner = await createUser("rls-owner");
  stranger = await createUser("rls-stranger");
  baseline = await createUser("rls-baseline");
  // Before anybody gets data: what the baseline user sees everywhere.
  for (const rel of exp.relations) {
    const cols = await selectableColumns(rel, "authenticated");
    if (cols.length) preSeed.set(rel.name, normSet(await rowsAs({ kind: "user", user: baseline, label: "baseline" }, rel, cols).catch(() => [])));
  }
  for (const fn of exp.functions.filter((f) => f.authExec)) {
    for (const args of [fn.argTypes.map(() => null), wideArgs(fn)]) {
      const rows = await asUser(baseline, callFn(fn, args), { method: "POST", path: `/rpc/${fn.name}`, rollback: true }).catch(() => null);
      if (rows) preSeed.set(`${fn.signature} ${JSON.stringify(args)}`, normSet(rows.map((r) => r.j as string)));
    }
  }
  const o = await seedUser(owner.id, 0, owned);
  const s = await seedUser(stranger.id, 1, owned);
  expect(o.failed, "tables the generic seeder could not fill for the owner (add an OVERRIDES entry)").toEqual([]);
  expect(s.failed, "tables the generic seeder could not fill for the stranger").toEqual([]);
  ownerRows = o.rows;
  // Materialized views hold what was there at their last refresh: refresh them so they include both users.
  for (const mv of exp.relations.filter((r) => r.kind === "m")) await adminSql().unsafe(`refresh materialized view ${mv.name}`);
  // Everything that identifies the owner's data: the user id, the marker in every seeded text,
  // every uuid of the owner's rows that the stranger's rows do not also carry.
  const strangerText = JSON.stringify(s.rows);
  const uuids = new Set<string>();
  for (const r of o.rows) for (const v of Object.values(r.row)) if (typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(v)) uuids.add(v);
  needles = [owner.id, markerOf(owner.id), ...[...uuids].filter((u) => u !== owner.id && !strangerText.includes(u))];
});

afterAll(async () => {
  try {
    if (owner && stranger && baseline) await adminSql()`delete from auth.users where id in (${owner.id}, ${stranger.id}, ${baseline.id})`;
  } finally {
    await resumeCron?.();
    await closePools();
  }
});

describe("RLS probe of every exposed object", () => {
  it("every user-owned table holds rows of both users before probing", async () => {
    for (const t of owned) {
      const [{ o, s }] = await adminSql().unsafe(
        `select count(*) filter (where ${q(t.ownerColumn!)} = $1)::int as o, count(*) filter (where ${q(t.ownerColumn!)} = $2)::int as s from ${t.name}`,
        [owner.id, stranger.id]);
      expect(o, `${t.name}: owner rows`).toBeGreaterThan(0);
      expect(s, `${t.name}: stranger rows`).toBeGreaterThan(0);
    }
  });

  it("as anon and as a stranger: no row of the owner seen or changed through any table, view, MV or function", async () => {
    const actors: Actor[] = [{ kind: "anon" }, { kind: "user", user: stranger, label: "stranger" }];
    const reachable = exp.relations.filter((r) =>
      Object.values(r.privileges.anon).some(Boolean) || Object.values(r.privileges.authenticated).some(Boolean) || r.ownerColumn !== null);
    for (const rel of exp.relations) {
      if (rel.kind === "r" || rel.kind === "p") counts.tables++;
      else if (rel.kind === "v") counts.views++;
      else if (rel.kind === "m") counts.materializedViews++;
      else counts.foreignTables++;
    }
    for (const rel of reachable) for (const actor of actors) await probeRelation(rel, actor);

    const enums = await adminSql()<{ oid: number; labels: string[] }[]>`
      select enumtypid::int as oid, array_agg(enumlabel order by enumsortorder) as labels from pg_enum group by enumtypid`;
    const enumLabels = new Map(enums.map((e) => [e.oid, e.labels]));
    const rand = prng(SEED);
    for (const fn of exp.functions) {
      counts.functions++;
      // Both actors, with or without EXECUTE: a refusal is the expected answer and is counted.
      await probeFunction(fn, actors, enumLabels, rand);
    }

    console.info(`RLS probe (seed ${SEED}): schemas ${exp.schemas.join(",")}; ${counts.tables} tables (${owned.length} user-owned), ` +
      `${counts.views} views, ${counts.materializedViews} materialized views, ${counts.foreignTables} foreign tables, ` +
      `${counts.functions} functions (${exp.functions.map((f) => f.name).join(", ")}); ${counts.probes} probes as anon and a stranger, ` +
      `${counts.refused} refused by the database, ${counts.functionCallsAnswered} function calls answered, ${failures.length} failures`);
    expect(failures, `rows of another user seen or changed (seed ${SEED})`).toEqual([]);
    expect(counts.tables).toBeGreaterThan(0);
  });
});
