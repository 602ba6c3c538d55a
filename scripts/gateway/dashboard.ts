// The reference dashboard's static server (its own origin, like a frontend dev server): the files
// of dashboard/, the browser builds of supabase-js and Chart.js straight from node_modules, and
// /config.js with the stack's public settings (URL and anon key — both public by design).
import { readFile } from "node:fs/promises";
import http from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DASHBOARD_DIR = resolve(ROOT, "dashboard");
const VENDOR: Record<string, string> = {
  "/vendor/supabase.js": resolve(ROOT, "node_modules/@supabase/supabase-js/dist/umd/supabase.js"),
  "/vendor/chart.js": resolve(ROOT, "node_modules/chart.js/dist/chart.umd.js"),
};
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
};

export function createDashboardServer(): http.Server {
  const config = `export const SUPABASE_URL = ${JSON.stringify(process.env.SUPABASE_URL)};\n` +
    `export const SUPABASE_ANON_KEY = ${JSON.stringify(process.env.SUPABASE_ANON_KEY)};\n` +
    `export const DEMO_EMAIL = ${JSON.stringify(process.env.DEMO_EMAIL ?? "demo@example.com")};\n`;
  return http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405).end(); return; }
    if (path === "/config.js") {
      res.writeHead(200, { "content-type": TYPES[".js"], "cache-control": "no-store" }).end(config);
      return;
    }
    const file = VENDOR[path] ?? resolve(DASHBOARD_DIR, "." + (path === "/" ? "/index.html" : path));
    if (!VENDOR[path] && !file.startsWith(DASHBOARD_DIR + sep)) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
}
