// Local Edge Functions server (Deno): serves every `functions/<name>/handler.ts` at
// /functions/v1/<name> on FUNCTIONS_PORT, behind the stack's gateway (scripts/gateway/server.ts),
// which clients reach at http://127.0.0.1:54321/functions/v1/<name>. Like the hosted
// gateway it rejects requests without a valid JWT (any role: anon key, service key or a user's
// token) unless `supabase/config.toml` sets `verify_jwt = false` for that function; CORS
// preflight (OPTIONS) is passed to the function, which answers it.
import { jwtVerify } from "jose";

type Handler = (req: Request) => Response | Promise<Response>;

const root = new URL("../", import.meta.url);
const port = Number(Deno.env.get("FUNCTIONS_PORT") ?? "54321");
const secret = new TextEncoder().encode(Deno.env.get("SUPABASE_JWT_SECRET") ?? "");

function verifyJwtSettings(toml: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  let current: string | null = null;
  for (const line of toml.split("\n")) {
    const section = line.match(/^\s*\[functions\.([A-Za-z0-9_-]+)\]\s*$/);
    if (section) { current = section[1]; continue; }
    if (/^\s*\[/.test(line)) { current = null; continue; }
    const v = line.match(/^\s*verify_jwt\s*=\s*(true|false)/);
    if (current && v) out.set(current, v[1] === "true");
  }
  return out;
}

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
};
const gatewayError = (status: number, message: string) =>
  Response.json({ code: status, message }, { status, headers: cors });

const config = verifyJwtSettings(await Deno.readTextFile(new URL("supabase/config.toml", root)));
const handlers = new Map<string, Handler>();
for await (const entry of Deno.readDir(new URL("functions/", root))) {
  if (!entry.isDirectory || entry.name.startsWith("_")) continue;
  const file = new URL(`functions/${entry.name}/handler.ts`, root);
  try { await Deno.stat(file); } catch { continue; }
  try {
    const mod = await import(file.href);
    handlers.set(entry.name, mod.default as Handler);
  } catch (err) {
    // As on Supabase, a function whose module throws at start does not boot; the others do.
    // Start-up errors are configuration errors whose messages are safe to log.
    const reason = err instanceof Error ? err.message : String(err);
    console.error(`${entry.name}: failed to boot: ${reason}`);
    handlers.set(entry.name, () => gatewayError(503, `Function failed to start: ${reason}`));
  }
}

async function validJwt(req: Request): Promise<boolean> {
  const auth = req.headers.get("authorization") ?? "";
  const m = auth.match(/^Bearer\s+(.+)$/i);
  if (!m) return false;
  try {
    await jwtVerify(m[1], secret, { algorithms: ["HS256"] });
    return true;
  } catch {
    return false;
  }
}

Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log(`functions: listening on ${port}: ${[...handlers.keys()].join(", ")}`) }, async (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/" || url.pathname === "/functions/v1" || url.pathname === "/functions/v1/") {
    return Response.json({ functions: [...handlers.keys()] });
  }
  const m = url.pathname.match(/^\/functions\/v1\/([^/]+)/);
  const handler = m ? handlers.get(m[1]) : undefined;
  if (!m || !handler) return gatewayError(404, "Requested function was not found");
  if (req.method !== "OPTIONS" && config.get(m[1]) !== false) {
    if (!req.headers.get("authorization")) return gatewayError(401, "Missing authorization header");
    if (!(await validJwt(req))) return gatewayError(401, "Invalid JWT");
  }
  const started = performance.now();
  try {
    const res = await handler(req);
    if (Deno.env.get("FUNCTIONS_LOG_REQUESTS") === "1") {
      console.log(`${req.method} ${url.pathname} ${res.status} ${(performance.now() - started).toFixed(1)}ms`);
    }
    return res;
  } catch (err) {
    // A handler should never throw; log the type only (messages may carry user data).
    console.error(`${m[1]}: unhandled ${err instanceof Error ? err.name : typeof err}`);
    return gatewayError(500, "Internal error in function");
  }
});
