/**
 * `health`: proves the chain Deno → postgres.js → database. Any valid project JWT (the anon key
 * will do); answers the server version and the number of applied migrations.
 */
import { requireJwt } from "../_shared/auth.ts";
import { db } from "../_shared/db.ts";
import { HttpError, json, serveJson } from "../_shared/http.ts";

export default serveJson("health", async (req) => {
  if (req.method !== "GET") throw new HttpError(405, "method_not_allowed", "Use GET.", undefined, { allow: "GET, OPTIONS" });
  await requireJwt(req);
  const [row] = await db()`
    select current_setting('server_version') as server_version,
           (select count(*)::int from supabase_migrations.schema_migrations) as migrations_applied,
           exists (select 1 from pg_extension where extname = 'pg_cron') as pg_cron`;
  return json({ status: "ok", database: row });
});
