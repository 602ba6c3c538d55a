// Reads supabase/config.toml's sections as the local stack needs them: `[api]` for PostgREST and
// `[auth]` for the Auth stand-in. A small reader for the file's own subset of TOML (strings,
// integers, booleans, arrays of strings, `[a.b]` section names) — no dependency for 40 lines.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "./paths.mjs";

function parseValue(raw, where) {
  const v = raw.trim();
  if (v === "true" || v === "false") return v === "true";
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^"(?:[^"\\]|\\.)*"$/.test(v)) return JSON.parse(v);
  if (v.startsWith("[") && v.endsWith("]")) {
    const inner = v.slice(1, -1).trim();
    if (!inner) return [];
    return inner.split(",").map((s) => s.trim()).filter(Boolean).map((s) => parseValue(s, where));
  }
  throw new Error(`supabase/config.toml: cannot read the value of ${where}: ${v}`);
}

/** { "api": {...}, "auth": {...}, "auth.email": {...}, ... } */
export function readConfigToml(file = resolve(ROOT, "supabase/config.toml")) {
  const out = { "": {} };
  let section = "";
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const text = line.replace(/\s+#.*$/, "").trim();
    if (!text || text.startsWith("#")) continue;
    const s = text.match(/^\[([A-Za-z0-9_.-]+)\]$/);
    if (s) { section = s[1]; out[section] ??= {}; continue; }
    const kv = text.match(/^([A-Za-z0-9_-]+)\s*=\s*(.+)$/);
    if (kv) out[section][kv[1]] = parseValue(kv[2], `[${section}] ${kv[1]}`);
  }
  return out;
}

/** PostgREST's settings from `[api]`, with Supabase's defaults for what the file leaves out. */
export function apiSettings(config = readConfigToml()) {
  const api = config.api ?? {};
  return {
    schemas: api.schemas ?? ["public", "graphql_public"],
    extraSearchPath: api.extra_search_path ?? ["public", "extensions"],
    maxRows: api.max_rows ?? 1000,
  };
}

/** The Auth stand-in's settings from `[auth]` and `[auth.email]` (names as the Supabase CLI's). */
export function authSettings(config = readConfigToml()) {
  const auth = config.auth ?? {};
  const email = config["auth.email"] ?? {};
  return {
    siteUrl: auth.site_url ?? "http://127.0.0.1:3000",
    jwtExpiry: auth.jwt_expiry ?? 3600,
    enableSignup: auth.enable_signup ?? true,
    enableRefreshTokenRotation: auth.enable_refresh_token_rotation ?? true,
    refreshTokenReuseInterval: auth.refresh_token_reuse_interval ?? 10,
    minimumPasswordLength: auth.minimum_password_length ?? 6,
    enableConfirmations: email.enable_confirmations ?? false,
    emailSignup: email.enabled ?? email.enable_signup ?? true,
  };
}
