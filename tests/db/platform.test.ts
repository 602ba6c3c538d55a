/**
 * The local platform layer behaves as a hosted Supabase database does, and the migrations are
 * applied by the Supabase CLI's own runner.
 */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asService, asUser, closePools, ownerSql } from "../support/db.ts";
import { ROOT } from "../support/env.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { until } from "../support/wait.ts";

let alice: TestUser;

beforeAll(async () => {
  alice = await createUser("alice");
});
afterAll(closePools);

describe("migrations", () => {
  it("are recorded in supabase_migrations.schema_migrations, one row per file", async () => {
    const files = readdirSync(resolve(ROOT, "supabase/migrations")).filter((f) => f.endsWith(".sql"));
    const rows = await adminSql()`select version, name from supabase_migrations.schema_migrations order by version`;
    expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files.sort());
  });
});

describe("roles", () => {
  it("postgres is not a superuser, as on the platform", async () => {
    const [r] = await adminSql()`select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = 'postgres'`;
    expect(r).toEqual({ rolsuper: false, rolbypassrls: true, rolcreaterole: true });
  });

  it("authenticator can only switch to the three API roles", async () => {
    const rows = await adminSql()`
      select r.rolname from pg_auth_members m
      join pg_roles r on r.oid = m.roleid
      join pg_roles u on u.oid = m.member
      where u.rolname = 'authenticator' order by 1`;
    expect(rows.map((r) => r.rolname)).toEqual(["anon", "authenticated", "service_role"]);
  });

  it("exposes public and graphql_public to PostgREST (the advisors read this)", async () => {
    const [r] = await ownerSql()`select current_setting('pgrst.db_schemas', true) as schemas`;
    expect(r.schemas).toBe("public,graphql_public");
  });
});

describe("auth helpers under PostgREST's request preamble", () => {
  it("auth.uid(), auth.role(), auth.email() and auth.jwt() read the caller's claims", async () => {
    const r = await asUser(alice, (tx) => tx`
      select auth.uid() as uid, auth.role() as role, auth.email() as email,
             auth.jwt() ->> 'aud' as aud, auth.jwt() ->> 'session_id' as session_id, current_user as db_role`);
    expect(r[0]).toMatchObject({ uid: alice.id, role: "authenticated", email: alice.email, aud: "authenticated", db_role: "authenticated" });
    expect(r[0].session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("anon has no uid and the service role bypasses RLS", async () => {
    const [a] = await asAnon((tx) => tx`select auth.uid() as uid, auth.role() as role, current_user as db_role`);
    expect(a).toEqual({ uid: null, role: "anon", db_role: "anon" });
    const [s] = await asService((tx) => tx`select rolbypassrls from pg_roles where rolname = current_user`);
    expect(s.rolbypassrls).toBe(true);
  });

  it("authenticated cannot read auth.users", async () => {
    await expect(asUser(alice, (tx) => tx`select count(*) from auth.users`)).rejects.toThrow(/permission denied/);
  });
});

describe("row level security", () => {
  const table = "public.__rls_probe";
  beforeAll(async () => {
    // Created by the project owner, so the platform's default privileges grant it to anon.
    await ownerSql().unsafe(`
      create table ${table} (id int primary key, secret text);
      alter table ${table} enable row level security;
      insert into ${table} values (1, 'hidden');`);
  });
  afterAll(async () => {
    await ownerSql().unsafe(`drop table if exists ${table}`);
  });

  it("anon has the table's privileges by default, yet reads nothing from a table with RLS and no policy", async () => {
    const [g] = await adminSql()`select has_table_privilege('anon', ${table}, 'select') as can`;
    expect(g.can).toBe(true);
    const rows = await asAnon((tx) => tx.unsafe(`select * from ${table}`));
    expect(rows).toHaveLength(0);
    const own = await ownerSql().unsafe(`select count(*)::int as n from ${table}`);
    expect(own[0].n).toBe(1);
  });

  it("an authenticated user reads nothing either, and cannot insert", async () => {
    expect(await asUser(alice, (tx) => tx.unsafe(`select * from ${table}`))).toHaveLength(0);
    await expect(asUser(alice, (tx) => tx.unsafe(`insert into ${table} values (2, 'forged')`)))
      .rejects.toThrow(/row-level security/);
  });
});

describe("pg_cron", () => {
  it("runs a scheduled job: `* * * * *` shows succeeded in cron.job_run_details", async () => {
    const sql = ownerSql();
    const name = `test-heartbeat-${Date.now()}`;
    const [{ jobid }] = await sql`select cron.schedule(${name}, '* * * * *', 'select 1') as jobid`;
    try {
      // Synchronised on the run's row reaching a final status, whenever pg_cron gets to it (the next
      // minute boundary, then however long the run takes): no assertion depends on how fast. The
      // safety deadline only turns a run that never comes into a clear failure.
      const status = await until(`a final run of cron job ${jobid}`, async () => {
        const rows = await sql`select status from cron.job_run_details where jobid = ${jobid} order by runid desc limit 1`;
        const s = rows[0]?.status as string | undefined;
        return s === "succeeded" || s === "failed" ? s : undefined;
      }, { safetyMs: 180_000, everyMs: 1000 });
      expect(status).toBe("succeeded");
    } finally {
      await sql`select cron.unschedule(${jobid}::bigint)`;
    }
  }, 240_000);
});
