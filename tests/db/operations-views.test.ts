/**
 * The operations views (the spec's monitoring section) are readable by the service role and the
 * ops_reader role, never by users; they count what happened: sync runs per exchange, invalid
 * credentials, decryption failures; pg_cron job health is listed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asService, asUser, closePools } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

let user: TestUser;
beforeAll(async () => {
  user = await createUser("ops");
  const [c] = await adminSql()`insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct, kid, key_hint, verification_status)
                                values (${user.id}, 'gateio', 'v1:x:y:z', 'v1:x:y:z', 'x', '••••abcd', 'invalid') returning id`;
  for (const status of ["succeeded", "succeeded", "failed"]) {
    await adminSql()`insert into public.sync_runs (user_id, credential_id, exchange, status, errors, finished_at, duration_ms)
                     values (${user.id}, ${c.id}, 'gateio', ${status}, ${status === "failed" ? adminSql().json([{ kind: "network", message: "timeout" }] as never) : adminSql().json([] as never)}, now(), 1200)`;
  }
  await adminSql()`insert into ops.security_events (kind, user_id, credential_id, detail) values ('decryption_failure', ${user.id}, ${c.id}, 'unknown_kid')`;
});
afterAll(closePools);

describe("ops views", () => {
  it("the service role reads sync success per exchange, errors, invalid credentials, decryption failures, cron health", async () => {
    const [gate] = await asService((tx) => tx`select * from ops.sync_success_by_exchange where exchange = 'gateio'`);
    expect(Number(gate.runs_24h)).toBeGreaterThanOrEqual(3);
    expect(Number(gate.success_rate_24h)).toBeLessThan(100);
    expect((await asService((tx) => tx`select * from ops.recent_sync_errors where user_id = ${user.id}`)).length).toBe(1);
    const [inv] = await asService((tx) => tx`select invalid from ops.invalid_credentials where exchange = 'gateio'`);
    expect(Number(inv.invalid)).toBeGreaterThanOrEqual(1);
    const [dec] = await asService((tx) => tx`select sum(failures)::int as n from ops.decryption_failures`);
    expect(dec.n).toBeGreaterThanOrEqual(1);
    const cron = await asService((tx) => tx`select jobname, schedule from ops.cron_health`);
    expect(cron.map((j) => j.jobname)).toContain("take-portfolio-snapshots");
  });

  it("users and anon cannot read any of it", async () => {
    await expect(asUser(user, (tx) => tx`select * from ops.sync_success_by_exchange`)).rejects.toThrow(/permission denied/);
    await expect(asUser(user, (tx) => tx`select * from ops.security_events`)).rejects.toThrow(/permission denied/);
    await expect(asAnon((tx) => tx`select * from ops.invalid_credentials`)).rejects.toThrow(/permission denied/);
  });

  it("the ops schema is not exposed through the API", async () => {
    const [r] = await adminSql()`select current_setting('pgrst.db_schemas') as s`;
    expect(r.s.split(",")).not.toContain("ops");
  });
});
