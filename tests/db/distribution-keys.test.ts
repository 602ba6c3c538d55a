/**
 * Ready for distribution by user (Citus): every table of public with a user_id column has
 * user_id in its primary key and in every unique constraint and unique index, so rows of one user
 * can live on one shard. New tables are covered without touching the test.
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";

afterAll(closePools);

describe("distribution by user_id", () => {
  it("every user-owned table's primary and unique keys include user_id", async () => {
    const offenders = await adminSql()`
      select c.relname as table_name, i.relname as index_name
        from pg_class c
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped
        join pg_index x on x.indrelid = c.oid and (x.indisunique or x.indisprimary)
        join pg_class i on i.oid = x.indexrelid
       where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
         and not (a.attnum = any (x.indkey::int2[]))
       order by 1, 2`;
    expect(offenders).toEqual([]);
    const [{ n }] = await adminSql()`
      select count(distinct c.oid)::int as n from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id'
       where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'`;
    expect(n).toBeGreaterThanOrEqual(20);
  });
});
