/**
 * Realtime (migration 20261207180000): the watched tables are in the `supabase_realtime`
 * publication with every change kind, their replica identity's key carries user_id, and the
 * publication really streams their changes — read back through a temporary logical replication
 * slot with pgoutput (the plugin Supabase Realtime consumes), which also shows an unwatched
 * table (api_credentials) streams nothing. The Realtime server itself is absent locally.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { dbUrlAs } from "../support/env.ts";
import { createUser } from "../support/users.ts";

const WATCHED = ["balances", "orders", "positions", "sync_jobs", "sync_runs", "trade_history"];
afterAll(closePools);

describe("the supabase_realtime publication", () => {
  it("holds exactly the watched tables, for inserts, updates and deletes, owned by postgres", async () => {
    const sql = adminSql();
    const [pub] = await sql`select pubowner::regrole::text as owner, pubinsert, pubupdate, pubdelete, pubtruncate, puballtables
      from pg_publication where pubname = 'supabase_realtime'`;
    expect(pub).toEqual({ owner: "postgres", pubinsert: true, pubupdate: true, pubdelete: true, pubtruncate: true, puballtables: false });
    const tables = await sql`select schemaname || '.' || tablename as t from pg_publication_tables where pubname = 'supabase_realtime' order by 1`;
    expect(tables.map((r) => r.t)).toEqual(WATCHED.map((t) => `public.${t}`));
  });

  it("each watched table's replica identity is its primary key, which starts with user_id; RLS is on", async () => {
    const rows = await adminSql()`
      select c.relname as t, c.relreplident as ident, c.relrowsecurity as rls,
             (select array_agg(a.attname::text order by k.ord) from pg_index i
                cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
                join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
               where i.indrelid = c.oid and i.indisprimary) as pk
        from pg_class c where c.relnamespace = 'public'::regnamespace and c.relname = any(${WATCHED})
       order by 1`;
    for (const r of rows) expect({ t: r.t, ident: r.ident, rls: r.rls, first: r.pk[0] }).toEqual({ t: r.t, ident: "d", rls: true, first: "user_id" });
  });

  it("streams a watched table's insert, update and delete (with user_id in the old key) and nothing of an unwatched table", async () => {
    const user = await createUser("realtime");
    // One session owns the temporary slot (dropped when it ends).
    const s = postgres(dbUrlAs("supabase_admin"), { max: 1, onnotice: () => {} });
    try {
      const slot = `rt_test_${process.pid}`;
      await s`select pg_create_logical_replication_slot(${slot}, 'pgoutput', true)`;
      // api_credentials is not watched: its insert and delete must not stream.
      const [cred] = await adminSql()`
        insert into public.api_credentials (user_id, exchange, label, api_key_ct, secret_key_ct, kid, key_hint)
        values (${user.id}, 'mexc', 'rt', 'v1:k:a:b', 'v1:k:c:d', 'k', '••••0000') returning id`;
      const [j] = await adminSql()`insert into public.sync_jobs (user_id, credential_id, kind, status)
        values (${user.id}, ${cred.id}, 'manual', 'queued') returning id`;
      await adminSql()`update public.sync_jobs set run_after = now() + interval '1 minute' where user_id = ${user.id} and id = ${j.id}`;
      await adminSql()`delete from public.sync_jobs where user_id = ${user.id} and id = ${j.id}`;
      await adminSql()`delete from public.api_credentials where user_id = ${user.id}`;

      const changes = await s<{ kind: string; rel: string | null; old: number | null }[]>`
        select chr(get_byte(data, 0)) as kind, case when get_byte(data, 0) = 68 then get_byte(data, 5) end as old,
               case when get_byte(data, 0) = 82 then ((get_byte(data, 1)::bigint << 24) + (get_byte(data, 2) << 16)
                 + (get_byte(data, 3) << 8) + get_byte(data, 4))::oid::regclass::text end as rel
          from pg_logical_slot_get_binary_changes(${slot}, null, null, 'proto_version', '1', 'publication_names', 'supabase_realtime')`;
      const kinds = changes.map((c) => c.kind).filter((k) => "IUD".includes(k));
      expect(kinds).toEqual(["I", "U", "D"]);
      // The delete carries the old row's key ('K': replica identity = the primary key (user_id, id)).
      expect(changes.find((c) => c.kind === "D")!.old).toBe("K".charCodeAt(0));
      // Relation messages name the tables whose rows were sent: only the watched one.
      expect([...new Set(changes.filter((c) => c.rel).map((c) => c.rel))]).toEqual(["sync_jobs"]);
    } finally {
      await s.end();
    }
  });
});
