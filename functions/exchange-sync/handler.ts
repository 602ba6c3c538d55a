/**
 * `exchange-sync`: the queue-driven exchange sync.
 *
 *   POST /exchange-sync                 service role only (pg_cron + pg_net on hosted projects, the
 *                                       local runner): drains up to `max` due jobs (body
 *                                       `{ "max"?: 1..50 }`, default 5) within a time budget
 *   POST /exchange-sync/now             a signed-in user: "sync now" for one own credential
 *                                       (`{ "credential_id": uuid }`) or all own active ones
 *                                       (`{}`); 202 with the job ids; a stranger's id → 404;
 *                                       one request per credential per 60 s → 429 + Retry-After
 *   GET  /exchange-sync/runs            the caller's recent sync runs (`?credential_id=&limit=`);
 *                                       the frontend may as well read `sync_runs` / `sync_jobs`
 *                                       with supabase-js (RLS: own rows only)
 *
 * Users' requests run as the user (RLS); "sync now" is `public.request_sync` (the same RPC
 * supabase-js calls), so the rate limit holds on both paths.
 */
import { z } from "zod";
import { requireServiceRole, requireUser } from "../_shared/auth.ts";
import { withUser } from "../_shared/db.ts";
import { config } from "../_shared/config.ts";
import { HttpError, json, readJsonBody, serveJson, subpath } from "../_shared/http.ts";
import { drainQueue, productionSyncDeps, type SyncDeps } from "../_shared/sync/index.ts";

const MAX_BODY = 4 * 1024;

let depsPromise: Promise<SyncDeps> | null = null;
/** Tests inject their own dependencies (mocked exchanges, clock). */
export function setSyncDeps(deps: SyncDeps | null): void {
  depsPromise = deps ? Promise.resolve(deps) : null;
}
function syncDeps(): Promise<SyncDeps> {
  depsPromise ??= productionSyncDeps({
    options: { budgetMs: config().EXCHANGE_SYNC_JOB_BUDGET_MS },
  });
  return depsPromise;
}

const drainSchema = z.object({ max: z.number().int().min(1).max(50).optional() }).strict();
const nowSchema = z.object({ credential_id: z.uuid().nullable().optional() }).strict();
const runsQuery = z.object({
  credential_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

async function optionalJson(req: Request): Promise<unknown> {
  const length = req.headers.get("content-length");
  if (!req.body || length === "0") return {};
  const type = req.headers.get("content-type") ?? "";
  if (!type && length === null) return {};
  return await readJsonBody(req, MAX_BODY);
}

function invalid(error: z.ZodError): never {
  throw new HttpError(400, "invalid_request", "The request is not valid.", error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
}

async function drain(req: Request): Promise<Response> {
  await requireServiceRole(req);
  const body = drainSchema.safeParse(await optionalJson(req));
  if (!body.success) invalid(body.error);
  const deps = await syncDeps();
  const jobs = await drainQueue(deps, {
    max: body.data.max ?? 5,
    deadlineMs: config().EXCHANGE_SYNC_DRAIN_BUDGET_MS,
  });
  return json({ processed: jobs.length, jobs });
}

interface RequestRow {
  credential_id: string;
  job_id: string | null;
  status: string;
  retry_after_seconds: number | null;
}

async function requestNow(req: Request): Promise<Response> {
  const user = await requireUser(req);
  const body = nowSchema.safeParse(await optionalJson(req));
  if (!body.success) invalid(body.error);
  const id = body.data.credential_id ?? null;
  let rows: RequestRow[];
  try {
    rows = await withUser(user.claims, (tx) => tx<RequestRow[]>`select * from public.request_sync(${id}::uuid)`);
  } catch (err) {
    const e = err as { code?: string; message?: string; detail?: string };
    if (e.code === "PT404") throw new HttpError(404, "not_found", "No credential with this id belongs to you.");
    if (e.code === "PT409") throw new HttpError(409, "credential_unusable", e.message ?? "This credential cannot be synced.");
    if (e.code === "PT429") {
      const wait = Number(/retry_after_seconds=(\d+)/.exec(e.detail ?? "")?.[1] ?? 60);
      throw new HttpError(429, "rate_limited", `A sync was requested less than a minute ago; retry in ${wait} s.`, { retry_after_seconds: wait }, { "retry-after": String(wait) });
    }
    throw err;
  }
  const jobs = rows.map((r) => ({
    credential_id: r.credential_id,
    job_id: r.job_id === null ? null : String(r.job_id),
    status: r.status,
    ...(r.retry_after_seconds !== null ? { retry_after_seconds: r.retry_after_seconds } : {}),
  }));
  return json({ jobs }, jobs.some((j) => j.job_id !== null) ? 202 : 200);
}

async function listRuns(req: Request): Promise<Response> {
  const user = await requireUser(req);
  const q = runsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) invalid(q.error);
  const limit = q.data.limit ?? 20;
  const cred = q.data.credential_id ?? null;
  const runs = await withUser(user.claims, (tx) => tx`
    select id::text, credential_id, job_id::text, exchange, status, counts, pages, retries, errors, started_at, finished_at, duration_ms::float8 as duration_ms
      from public.sync_runs
     where user_id = ${user.id} and (${cred}::uuid is null or credential_id = ${cred}::uuid)
     order by started_at desc, id desc
     limit ${limit}`);
  return json({ runs });
}

function methodNotAllowed(allow: string): never {
  throw new HttpError(405, "method_not_allowed", `Use ${allow} here.`, undefined, { allow: `${allow}, OPTIONS` });
}

export default serveJson("exchange-sync", async (req) => {
  const path = subpath(req, "exchange-sync");
  if (path === "/") {
    if (req.method === "POST") return await drain(req);
    methodNotAllowed("POST");
  }
  if (path === "/now") {
    if (req.method === "POST") return await requestNow(req);
    methodNotAllowed("POST");
  }
  if (path === "/runs") {
    if (req.method === "GET") return await listRuns(req);
    methodNotAllowed("GET");
  }
  throw new HttpError(404, "not_found", "Unknown route. Routes: POST /exchange-sync (service role), POST /exchange-sync/now, GET /exchange-sync/runs.");
});
