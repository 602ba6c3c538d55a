/**
 * The database as the API sees it, discovered from the catalog (never hand-listed), and a generic
 * seeder that puts rows into every user-owned table so that new tables are covered without
 * touching the tests.
 *
 *  - exposedObjects(): every table, view, materialized view and function in the schemas PostgREST
 *    exposes (`pgrst.db_schemas` on `authenticator`), with what `anon` / `authenticated` may do.
 *  - userOwnedTables(): tables of the exposed schemas with an owner column (`user_id`, or any column
 *    with a foreign key to auth.users).
 *  - seedUser(): one row per user-owned table for a user, built from information about each column
 *    (type, nullability, default, foreign keys, CHECK constraints). When a CHECK constraint refuses
 *    the row, the seeder searches the values of that constraint's columns (null, the generated
 *    value, the values listed in the constraint, enum labels, true/false) until one combination
 *    passes. A table that cannot be seeded is reported by name (so a new table whose constraints
 *    the seeder cannot satisfy fails loudly and gets an entry in OVERRIDES).
 *  - checksums of the rows of users other than a given one, and pausing pg_cron while comparing.
 */
import { adminSql, type Sql } from "../../support/db.ts";
import { holdCron } from "../../support/cron.ts";

export interface Column {
  name: string;
  type: string; // format_type
  typeOid: number;
  notNull: boolean;
  hasDefault: boolean;
  identity: boolean;
  generated: boolean;
  enumLabels: string[] | null;
  maxLength: number | null;
  isArray: boolean;
}

export interface ForeignKey {
  columns: string[];
  refTable: string; // qualified, quoted (regclass text)
  refColumns: string[];
}

export interface Check {
  name: string;
  def: string;
  columns: string[];
}

export interface TableInfo {
  oid: number;
  name: string; // qualified regclass text, e.g. public.fills
  schema: string;
  relname: string;
  kind: "r" | "p" | "v" | "m" | "f";
  ownerColumn: string | null;
  columns: Column[];
  fks: ForeignKey[];
  checks: Check[];
  pk: string[];
}

export interface FunctionInfo {
  oid: number;
  name: string; // schema.name
  signature: string; // schema.name(identity args)
  argNames: string[];
  argTypes: string[];
  argTypeOids: number[];
  numDefaults: number;
  returnsSet: boolean;
  returnType: string;
  volatile: boolean;
  anonExec: boolean;
  authExec: boolean;
}

export interface Exposure {
  schemas: string[];
  relations: Array<TableInfo & { privileges: Record<"anon" | "authenticated", Record<"select" | "insert" | "update" | "delete", boolean>> }>;
  functions: FunctionInfo[];
}

export async function exposedSchemas(sql: Sql = adminSql()): Promise<string[]> {
  const rows = await sql<{ cfg: string }[]>`
    select unnest(setconfig) as cfg from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
     where r.rolname = 'authenticator'
    union all
    select unnest(setconfig) from pg_db_role_setting s where s.setrole = 0 and s.setdatabase = (select oid from pg_database where datname = current_database())`;
  const setting = rows.map((r) => r.cfg).find((c) => c.startsWith("pgrst.db_schemas="));
  const value = setting ? setting.slice("pgrst.db_schemas=".length) : "public";
  return value.split(",").map((s) => s.trim().replace(/^"|"$/g, "")).filter(Boolean);
}

async function tableInfo(sql: Sql, oids: number[]): Promise<TableInfo[]> {
  if (oids.length === 0) return [];
  const rels = await sql<{ oid: number; name: string; schema: string; relname: string; kind: TableInfo["kind"] }[]>`
    select c.oid::int as oid, c.oid::regclass::text as name, n.nspname as schema, c.relname, c.relkind::text as kind
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = any(${oids}::oid[]) order by n.nspname, c.relname`;
  const cols = await sql<(Column & { rel: number; num: number })[]>`
    select a.attrelid::int as rel, a.attnum::int as num, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           a.atttypid::int as "typeOid", a.attnotnull as "notNull", a.atthasdef as "hasDefault",
           a.attidentity <> '' as identity, a.attgenerated <> '' as generated,
           (select array_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
             where e.enumtypid = coalesce(nullif(t.typelem, 0), a.atttypid)) as "enumLabels",
           case when a.atttypmod > 4 and a.atttypid in (1043, 1042) then a.atttypmod - 4 end as "maxLength",
           t.typcategory = 'A' as "isArray"
      from pg_attribute a join pg_type t on t.oid = a.atttypid
     where a.attrelid = any(${oids}::oid[]) and a.attnum > 0 and not a.attisdropped
     order by a.attrelid, a.attnum`;
  const cons = await sql<{ rel: number; name: string; type: string; def: string; cols: string[]; ref: string | null; refcols: string[] | null }[]>`
    select c.conrelid::int as rel, c.conname as name, c.contype::text as type, pg_get_constraintdef(c.oid) as def,
           (select array_agg(a.attname order by k.i) from unnest(c.conkey) with ordinality k(n, i)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n) as cols,
           case when c.contype = 'f' then c.confrelid::regclass::text end as ref,
           (select array_agg(a.attname order by k.i) from unnest(c.confkey) with ordinality k(n, i)
              join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n) as refcols
      from pg_constraint c where c.conrelid = any(${oids}::oid[]) and c.contype in ('c', 'f', 'p')`;
  const authUsers = await sql<{ name: string }[]>`select 'auth.users'::regclass::text as name`;
  return rels.map((r) => {
    const columns = cols.filter((c) => c.rel === r.oid).map(({ rel: _r, num: _n, ...c }) => c);
    const fks = cons.filter((c) => c.rel === r.oid && c.type === "f")
      .map((c) => ({ columns: c.cols, refTable: c.ref!, refColumns: c.refcols ?? [] }));
    const checks = cons.filter((c) => c.rel === r.oid && c.type === "c").map((c) => ({ name: c.name, def: c.def, columns: c.cols ?? [] }));
    const pk = cons.find((c) => c.rel === r.oid && c.type === "p")?.cols ?? [];
    const ownerFk = fks.find((f) => f.refTable === authUsers[0].name && f.columns.length === 1);
    const ownerColumn = columns.some((c) => c.name === "user_id" && c.type === "uuid") ? "user_id" : ownerFk?.columns[0] ?? null;
    return { ...r, ownerColumn, columns, fks, checks, pk };
  });
}

/** Everything the API roles can reach in the exposed schemas. */
export async function exposure(sql: Sql = adminSql()): Promise<Exposure> {
  const schemas = await exposedSchemas(sql);
  const rels = await sql<{ oid: number; a_sel: boolean; a_ins: boolean; a_upd: boolean; a_del: boolean; u_sel: boolean; u_ins: boolean; u_upd: boolean; u_del: boolean }[]>`
    select c.oid::int as oid,
           has_table_privilege('anon', c.oid, 'select') or has_any_column_privilege('anon', c.oid, 'select') as a_sel,
           has_table_privilege('anon', c.oid, 'insert') or has_any_column_privilege('anon', c.oid, 'insert') as a_ins,
           has_table_privilege('anon', c.oid, 'update') or has_any_column_privilege('anon', c.oid, 'update') as a_upd,
           has_table_privilege('anon', c.oid, 'delete') as a_del,
           has_table_privilege('authenticated', c.oid, 'select') or has_any_column_privilege('authenticated', c.oid, 'select') as u_sel,
           has_table_privilege('authenticated', c.oid, 'insert') or has_any_column_privilege('authenticated', c.oid, 'insert') as u_ins,
           has_table_privilege('authenticated', c.oid, 'update') or has_any_column_privilege('authenticated', c.oid, 'update') as u_upd,
           has_table_privilege('authenticated', c.oid, 'delete') as u_del
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(${schemas}) and c.relkind in ('r', 'p', 'v', 'm', 'f')`;
  const infos = await tableInfo(sql, rels.map((r) => r.oid));
  const relations = infos.map((t) => {
    const p = rels.find((r) => r.oid === t.oid)!;
    return {
      ...t,
      privileges: {
        anon: { select: p.a_sel, insert: p.a_ins, update: p.a_upd, delete: p.a_del },
        authenticated: { select: p.u_sel, insert: p.u_ins, update: p.u_upd, delete: p.u_del },
      },
    };
  });
  const functions = await sql<FunctionInfo[]>`
    select p.oid::int as oid, format('%I.%I', n.nspname, p.proname) as name,
           format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as signature,
           coalesce(args.names, '{}') as "argNames", coalesce(args.types, '{}') as "argTypes", coalesce(args.oids, '{}') as "argTypeOids",
           p.pronargdefaults::int as "numDefaults", p.proretset as "returnsSet", format_type(p.prorettype, null) as "returnType",
           p.provolatile = 'v' as volatile,
           has_function_privilege('anon', p.oid, 'execute') as "anonExec",
           has_function_privilege('authenticated', p.oid, 'execute') as "authExec"
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      left join lateral (
        select array_agg(coalesce(nullif(a.name, ''), '$' || a.ord) order by a.ord) as names,
               array_agg(format_type(a.t, null) order by a.ord) as types,
               array_agg(a.t::int order by a.ord) as oids
          from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                      coalesce(p.proargmodes, array_fill('i'::"char", array[cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[]))])),
                      coalesce(p.proargnames, '{}')) with ordinality a(t, mode, name, ord)
         where a.mode in ('i', 'b', 'v')) args on true
     where n.nspname = any(${schemas}) and p.prokind in ('f', 'p')
       and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
     order by 2, 3`;
  return { schemas, relations, functions };
}

/** Tables (of the exposed schemas, plus `extraSchemas`) that hold rows of one user. */
export async function userOwnedTables(sql: Sql = adminSql(), extraSchemas: string[] = []): Promise<TableInfo[]> {
  const schemas = [...await exposedSchemas(sql), ...extraSchemas];
  const oids = await sql<{ oid: number }[]>`
    select c.oid::int as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(${schemas}) and c.relkind in ('r', 'p')`;
  return (await tableInfo(sql, oids.map((o) => o.oid))).filter((t) => t.ownerColumn !== null);
}

// ---------------------------------------------------------------------------------------------
// Generic seeding

/**
 * Values the generic rules cannot derive (constraints enforced by triggers, formats checked in
 * code). Keyed by "schema.table.column". Empty today: every table seeds from its catalog.
 */
export const OVERRIDES: Record<string, (userIndex: number) => unknown> = {};

const q = (id: string) => `"${id.replaceAll('"', '""')}"`;

/** A marker put into every seeded text value of a user: finding it elsewhere means a leak. */
export function markerOf(userId: string): string {
  return `mk${userId.replaceAll("-", "").slice(0, 10)}`;
}

/** Literal values listed by a CHECK definition (ARRAY['a'::text, ...], = 'x'::type). */
function listedValues(def: string): string[] {
  const out: string[] = [];
  for (const m of def.matchAll(/'((?:[^']|'')*)'::/g)) out.push(m[1].replaceAll("''", "'"));
  return [...new Set(out)];
}

function baseTime(userIndex: number): Date {
  return new Date(Date.UTC(2026, 0, 10 + userIndex, 12, 0, 0));
}

/** The value the seeder tries first for a column. */
function generate(table: TableInfo, col: Column, userId: string, userIndex: number, n: number): unknown {
  const key = `${table.schema}.${table.relname}.${col.name}`;
  if (OVERRIDES[key]) return OVERRIDES[key](userIndex);
  const own = table.checks.filter((c) => c.columns.length === 1 && c.columns[0] === col.name);
  if (col.isArray) return [];
  if (col.enumLabels) {
    const excluded = own.flatMap((c) => (/<>/.test(c.def) ? listedValues(c.def) : []));
    const required = own.flatMap((c) => (/ = /.test(c.def) && !/<>/.test(c.def) ? listedValues(c.def) : []));
    return required[0] ?? col.enumLabels.find((l) => !excluded.includes(l)) ?? col.enumLabels[0];
  }
  const t = col.type;
  if (t === "jsonb" || t === "json") {
    const typed = own.map((c) => /jsonb?_typeof\([^)]*\) = '(\w+)'/.exec(c.def)?.[1]).find(Boolean);
    return typed === "array" ? [] : {};
  }
  if (t === "text" || t.startsWith("character")) {
    const listed = own.filter((c) => /= ANY|= '/.test(c.def)).flatMap((c) => listedValues(c.def));
    if (listed.length) return listed[0];
    const s = `${markerOf(userId)}-${n}-${col.name}`;
    return col.maxLength ? s.slice(0, col.maxLength) : s;
  }
  if (t === "uuid") return col.name === table.ownerColumn ? userId : crypto.randomUUID();
  if (t === "boolean") return false;
  if (t === "date") return baseTime(userIndex).toISOString().slice(0, 10);
  if (t.startsWith("timestamp")) return baseTime(userIndex).toISOString();
  if (t === "interval") return `${userIndex + 1} hours`;
  if (t === "inet" || t === "cidr") return "192.0.2.1";
  if (/^(numeric|integer|bigint|smallint|real|double precision)/.test(t)) return String(userIndex + 1);
  return null;
}

/** Alternatives tried when a CHECK constraint refuses the row. */
function alternatives(table: TableInfo, col: Column, check: Check, userId: string, userIndex: number, n: number): unknown[] {
  const alts: unknown[] = [generate(table, col, userId, userIndex, n)];
  if (!col.notNull) alts.push(null);
  if (col.enumLabels) alts.push(...col.enumLabels);
  if (col.type === "boolean") alts.push(true, false);
  if (col.type === "jsonb") alts.push([], {});
  if (col.type === "text" || col.type.startsWith("character")) alts.push(...listedValues(check.def));
  if (/^(numeric|integer|bigint|smallint)/.test(col.type)) alts.push("0", "1", "2");
  return [...new Set(alts.map((a) => JSON.stringify(a)))].map((a) => JSON.parse(a));
}

export interface SeededRow {
  table: string;
  row: Record<string, unknown>;
}

function topoOrder(tables: TableInfo[]): TableInfo[] {
  const names = new Set(tables.map((t) => t.name));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo, stack: Set<string>) => {
    if (done.has(t.name) || stack.has(t.name)) return;
    stack.add(t.name);
    for (const fk of t.fks) {
      if (fk.refTable !== t.name && names.has(fk.refTable)) visit(tables.find((x) => x.name === fk.refTable)!, stack);
    }
    done.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

/**
 * Inserts one row for `userId` into every user-owned table (as the superuser, the way the
 * service role writes them), each table after the tables its foreign keys point to. Tables that
 * already hold a row of the user (profiles from the sign-up trigger) are left as they are.
 * Returns the rows by table and the tables that could not be seeded (with the last error).
 */
export async function seedUser(userId: string, userIndex: number, tables?: TableInfo[], opts: { force?: boolean; n?: number } = {}): Promise<{ rows: SeededRow[]; failed: Array<{ table: string; error: string }> }> {
  const sql = adminSql();
  tables ??= await userOwnedTables(sql);
  const rows: SeededRow[] = [];
  const failed: Array<{ table: string; error: string }> = [];
  let n = opts.n ?? 0;
  for (const t of topoOrder(tables)) {
    if (!opts.force) {
      const [{ c }] = await sql.unsafe(`select count(*)::int as c from ${t.name} where ${q(t.ownerColumn!)} = $1`, [userId]);
      if (c > 0) {
        const existing = await sql.unsafe(`select * from ${t.name} where ${q(t.ownerColumn!)} = $1 limit 1`, [userId]);
        rows.push({ table: t.name, row: existing[0] });
        continue;
      }
    }
    n++;
    // Foreign keys: the user's own row of the referenced table (composite keys with the owner
    // column), or any row of a shared table.
    const values = new Map<string, unknown>();
    values.set(t.ownerColumn!, userId);
    let unsatisfied: string | null = null;
    for (const fk of t.fks) {
      if (fk.refTable === t.name) continue;
      if (fk.columns.length === 1 && fk.columns[0] === t.ownerColumn) continue;
      // a key on a generated column (fees_tracking's user for fees without a fill) follows its inputs
      if (fk.columns.some((c) => t.columns.find((x) => x.name === c)?.generated)) continue;
      const refTable = tables.find((x) => x.name === fk.refTable);
      const allNullable = fk.columns.every((c) => c === t.ownerColumn || !t.columns.find((x) => x.name === c)!.notNull);
      const where = refTable?.ownerColumn ? `where ${q(refTable.ownerColumn)} = $1` : "";
      const ref = await sql.unsafe(`select ${fk.refColumns.map(q).join(", ")} from ${fk.refTable} ${where} limit 1`, refTable?.ownerColumn ? [userId] : []);
      if (ref.length === 0) {
        if (!allNullable) unsatisfied = `no row in ${fk.refTable} to reference`;
        continue;
      }
      fk.columns.forEach((c, i) => values.set(c, ref[0][fk.refColumns[i]]));
    }
    if (unsatisfied) { failed.push({ table: t.name, error: unsatisfied }); continue; }
    for (const col of t.columns) {
      if (values.has(col.name) || col.identity || col.generated) continue;
      const text = col.type === "text" || col.type.startsWith("character");
      if (col.notNull && !col.hasDefault) values.set(col.name, generate(t, col, userId, userIndex, n));
      else if (text && !col.hasDefault) values.set(col.name, generate(t, col, userId, userIndex, n)); // carries the marker
    }
    const insert = async (v: Map<string, unknown>) => {
      const cols = [...v.keys()];
      const types = cols.map((c) => t.columns.find((x) => x.name === c)!.type);
      const text = cols.length
        ? `insert into ${t.name} (${cols.map(q).join(", ")}) values (${cols.map((_, i) => `$${i + 1}::${types[i]}`).join(", ")}) returning *`
        : `insert into ${t.name} default values returning *`;
      return await sql.unsafe(text, cols.map((c) => v.get(c) as never));
    };
    let lastError = "";
    let inserted: Record<string, unknown> | null = null;
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 400 && !inserted; attempt++) {
      try {
        inserted = (await insert(values))[0];
      } catch (err) {
        const e = err as { code?: string; constraint_name?: string; column_name?: string; message: string };
        lastError = `${e.code}: ${e.message}`;
        const check = e.code === "23514" ? t.checks.find((c) => c.name === e.constraint_name) : undefined;
        if (e.code === "23502" && e.column_name) {
          const col = t.columns.find((c) => c.name === e.column_name)!;
          values.set(col.name, generate(t, col, userId, userIndex, n));
          continue;
        }
        if (e.code === "23505") { n++; for (const [k, v] of values) if (typeof v === "string" && v.includes(markerOf(userId))) values.set(k, generate(t, t.columns.find((c) => c.name === k)!, userId, userIndex, n)); continue; }
        if (!check) break;
        // Search the combinations of the constraint's columns for one that passes.
        const cols = check.columns.map((c) => t.columns.find((x) => x.name === c)!).filter((c) => c && c.name !== t.ownerColumn);
        const options = cols.map((c) => alternatives(t, c, check, userId, userIndex, n));
        const total = options.reduce((a, o) => a * o.length, 1);
        let progressed = false;
        for (let i = 0; i < Math.min(total, 256) && !inserted && !progressed; i++) {
          let k = i;
          const trial = new Map(values);
          cols.forEach((c, j) => { trial.set(c.name, options[j][k % options[j].length]); k = Math.floor(k / options[j].length); });
          const sig = JSON.stringify([...trial]);
          if (tried.has(sig)) continue;
          tried.add(sig);
          try {
            inserted = (await insert(trial))[0];
          } catch (err2) {
            const e2 = err2 as { code?: string; constraint_name?: string; message: string };
            if (!(e2.code === "23514" && e2.constraint_name === check.name)) {
              // This constraint passes now; another one refuses: continue from these values.
              for (const [kk, vv] of trial) values.set(kk, vv);
              progressed = true;
              lastError = `${e2.code}: ${e2.message}`;
            }
          }
        }
        if (!inserted && !progressed) break;
      }
    }
    if (inserted) rows.push({ table: t.name, row: inserted });
    else failed.push({ table: t.name, error: lastError });
  }
  return { rows, failed };
}

// ---------------------------------------------------------------------------------------------
// Checksums

/** md5 of every row (as text, sorted) of each user-owned table whose owner is NOT `userId`. */
export async function checksumOthers(userIds: { exclude?: string[]; only?: string[] }, tables?: TableInfo[]): Promise<Record<string, string>> {
  const sql = adminSql();
  tables ??= await userOwnedTables(sql, ["private"]);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const oc = q(t.ownerColumn!);
    const cond = userIds.only ? `${oc} = any($1::uuid[])` : `not (${oc} = any($1::uuid[]))`;
    const [{ md5, n }] = await sql.unsafe(
      `select md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as md5, count(*)::int as n from ${t.name} x where ${cond}`,
      [userIds.only ?? userIds.exclude ?? []],
    );
    out[t.name] = `${n}:${md5}`;
  }
  return out;
}

export function diffChecksums(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`);
}

/**
 * Pauses every active pg_cron job (their scheduled writes — unrealized PnL every minute, queued
 * syncs every 5 — would otherwise change rows between two checksums), once any run already in
 * progress has finished (an event; there used to be a 5 s budget after which the checksums went
 * ahead anyway). Returns a resume function.
 */
export function pauseCron(): Promise<() => Promise<void>> {
  return holdCron();
}

/** md5 of every row of every table of public and private that has no owner column (shared data). */
export async function checksumShared(schemas = ["public", "private"]): Promise<Record<string, string>> {
  const sql = adminSql();
  const oids = await sql<{ oid: number }[]>`
    select c.oid::int as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(${schemas}) and c.relkind in ('r', 'p', 'm')`;
  const infos = await tableInfo(sql, oids.map((o) => o.oid));
  const out: Record<string, string> = {};
  for (const t of infos.filter((x) => x.ownerColumn === null)) {
    const [{ md5, n }] = await sql.unsafe(
      `select md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as md5, count(*)::int as n from ${t.name} x`);
    out[t.name] = `${n}:${md5}`;
  }
  return out;
}
