// The stack's gateway at http://127.0.0.1:<API_PORT>, playing the hosted Kong: one origin for a
// client, routing /rest/v1 → PostgREST, /functions/v1 → the Deno functions server, /auth/v1 →
// the Auth stand-in (in this process). Like Kong it checks the `apikey` of /rest/v1 and /auth/v1
// (anon or service key) and answers CORS for them; functions answer their own CORS.
// It also serves the reference dashboard from its own origin (DASHBOARD_PORT), as a frontend's
// dev server would. Run by scripts/lib/gateway.mjs; all settings come from the environment.
import http from "node:http";
import { createAuthHandler } from "../auth/handler.ts";
import { createDashboardServer } from "./dashboard.ts";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`gateway: ${name} is not set`);
  return v;
}

const API_PORT = Number(env("GATEWAY_API_PORT"));
const PGRST_PORT = Number(env("GATEWAY_PGRST_PORT"));
const FUNCTIONS_PORT = Number(env("GATEWAY_FUNCTIONS_PORT"));
const DASHBOARD_PORT = Number(env("GATEWAY_DASHBOARD_PORT"));
const API_KEYS = new Set([env("SUPABASE_ANON_KEY"), env("SUPABASE_SERVICE_ROLE_KEY")]);
const auth = createAuthHandler(JSON.parse(env("GATEWAY_AUTH_CONFIG")));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const EXPOSED = "Content-Range, Content-Location, Content-Profile, Location, Preference-Applied, Range-Unit, X-Supabase-Api-Version";

function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": EXPOSED,
  };
}

function preflight(req: http.IncomingMessage, res: http.ServerResponse) {
  res.writeHead(200, {
    ...corsHeaders(req),
    "access-control-allow-methods": "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS",
    "access-control-allow-headers": String(req.headers["access-control-request-headers"] ?? "authorization, apikey, content-type, x-client-info"),
    "access-control-max-age": "3600",
    "content-length": "0",
  });
  res.end();
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Kong's key-auth: the key in the `apikey` header (or `?apikey=`). */
function apiKeyProblem(req: http.IncomingMessage, url: URL): string | null {
  const key = (req.headers.apikey as string | undefined) ?? url.searchParams.get("apikey");
  if (!key) return "No API key found in request";
  if (!API_KEYS.has(key)) return "Invalid API key";
  return null;
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, port: number, path: string, cors: boolean) {
  const headers = { ...req.headers, "x-forwarded-for": req.socket.remoteAddress ?? "", "x-forwarded-proto": "http", "x-forwarded-host": String(req.headers.host ?? "") };
  delete headers.connection;
  const up = http.request({ host: "127.0.0.1", port, method: req.method, path, headers, agent }, (upRes) => {
    const h: http.OutgoingHttpHeaders = { ...upRes.headers };
    if (cors) {
      for (const k of Object.keys(h)) if (k.startsWith("access-control-")) delete h[k];
      Object.assign(h, corsHeaders(req));
    }
    res.writeHead(upRes.statusCode ?? 502, h);
    upRes.pipe(res);
  });
  up.on("error", () => {
    if (!res.headersSent) sendJson(res, 502, { message: "An invalid response was received from the upstream server" }, cors ? corsHeaders(req) : {});
    else res.destroy();
  });
  req.pipe(up);
}

/** Auth request bodies are small JSON documents; larger ones are refused (413) unread. */
const AUTH_MAX_BODY = 64 * 1024;
class TooLarge extends Error {}

async function toRequest(req: http.IncomingMessage, url: URL): Promise<Request> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > AUTH_MAX_BODY) throw new TooLarge();
    chunks.push(c as Buffer);
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  if (req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress.replace(/^::ffff:/, ""));
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

async function sendResponse(res: http.ServerResponse, r: Response, extra: Record<string, string>) {
  const body = Buffer.from(await r.arrayBuffer());
  const h: Record<string, string> = {};
  r.headers.forEach((v, k) => { h[k] = v; });
  res.writeHead(r.status, { ...h, ...extra, "content-length": String(body.length) });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${API_PORT}`);
  const path = url.pathname;
  try {
    if (path === "/functions/v1" || path.startsWith("/functions/v1/")) {
      return proxy(req, res, FUNCTIONS_PORT, req.url ?? "/", false);
    }
    const rest = path === "/rest/v1" || path.startsWith("/rest/v1/");
    const isAuth = path === "/auth/v1" || path.startsWith("/auth/v1/");
    if (!rest && !isAuth) {
      if (path === "/" || path === "/health") return sendJson(res, 200, { services: ["/rest/v1", "/auth/v1", "/functions/v1"] });
      return sendJson(res, 404, { message: "no Route matched with those values" });
    }
    if (req.method === "OPTIONS") return preflight(req, res);
    const problem = apiKeyProblem(req, url);
    if (problem) return sendJson(res, 401, { message: problem }, corsHeaders(req));
    if (rest) return proxy(req, res, PGRST_PORT, "/" + (req.url ?? "/").replace(/^\/rest\/v1\/?/, ""), true);
    const r = await auth.handle(await toRequest(req, url));
    return await sendResponse(res, r, corsHeaders(req));
  } catch (err) {
    if (err instanceof TooLarge) {
      res.setHeader("connection", "close");
      return sendJson(res, 413, { code: 413, error_code: "request_too_large", msg: "Request body too large" }, corsHeaders(req));
    }
    if (!res.headersSent) sendJson(res, 500, { message: "gateway error" });
  }
});
server.keepAliveTimeout = 65_000;

const dashboard = createDashboardServer();

// The dashboard first: the stack waits for the API port to answer, and then both are up.
dashboard.listen(DASHBOARD_PORT, "127.0.0.1", () => {
  server.listen(API_PORT, "127.0.0.1", () => {
    console.log(`gateway: listening on ${API_PORT} (rest → ${PGRST_PORT}, functions → ${FUNCTIONS_PORT}, auth in process); dashboard on ${DASHBOARD_PORT}`);
  });
});
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => { server.close(); dashboard.close(); void auth.close().finally(() => process.exit(0)); });
}
