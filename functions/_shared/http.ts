import type { z } from "zod";
import { config } from "./config.ts";

/**
 * HTTP helpers shared by every Edge Function: JSON answers, the error shape
 * `{ error: { code, message, details } }`, CORS for browsers (supabase-js), body size limits.
 */

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, POST, PATCH, DELETE, OPTIONS",
  "access-control-max-age": "86400",
};

/** bigint ids (postgres.js int8) as JSON numbers when exact, else as strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, jsonReplacer), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...corsHeaders, ...headers },
  });
}

/** An error a client can act on. `code` is stable and machine-readable; `message` is for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorResponse(err: HttpError): Response {
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details !== undefined) body.error.details = err.details;
  return json(body, err.status, err.headers);
}

/** Answers a CORS preflight, or null when the request is not one. */
export function preflight(req: Request): Response | null {
  return req.method === "OPTIONS" ? new Response(null, { status: 204, headers: corsHeaders }) : null;
}

/**
 * Wraps a handler: answers preflight, turns HttpError into its JSON answer and anything else
 * into a 500 without a stack trace or message (which could carry user data or secrets).
 */
export function serveJson(
  name: string,
  fn: (req: Request) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const pre = preflight(req);
    if (pre) return pre;
    try {
      return await fn(req);
    } catch (err) {
      await drainSmallBody(req);
      if (err instanceof HttpError) return errorResponse(err);
      // A valid token of an account deleted since it was issued: its rows cannot be written.
      const pg = err as { code?: string; constraint_name?: string };
      if (pg?.code === "23503" && /_user_id_fkey$/.test(pg.constraint_name ?? "")) {
        return errorResponse(new HttpError(401, "user_not_found", "This account no longer exists; sign in again."));
      }
      console.error(`${name}: internal error (${err instanceof Error ? err.name : typeof err})`);
      if (config().DEBUG_INTERNAL_ERRORS) console.error(err);
      return errorResponse(new HttpError(500, "internal_error", "Something went wrong on our side; try again later."));
    }
  };
}

/**
 * Before answering an error, read what is left of a small request body: answering while the
 * client is still sending makes some servers reset the connection, and the client then sees a
 * network error instead of the 4xx. Large or unread-able bodies are left alone.
 */
async function drainSmallBody(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (!(declared <= 1024 * 1024)) return;
  try {
    await req.arrayBuffer();
  } catch {
    // already cancelled or broken: nothing to drain
  }
}

/**
 * Reads a request body as text, refusing more than `maxBytes` (the declared length first, then
 * while streaming, so a huge upload is never read whole). `tooLarge` builds the 413.
 * Returns null when the request has no body.
 */
export async function readBodyText(req: Request, maxBytes: number, tooLargeError: () => HttpError = () => tooLarge(maxBytes)): Promise<string | null> {
  const bytes = await readBodyBytes(req, maxBytes, tooLargeError);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** The request body's bytes, refusing more than `maxBytes` while reading (null without a body). */
export async function readBodyBytes(req: Request, maxBytes: number, tooLargeError: () => HttpError = () => tooLarge(maxBytes)): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLargeError();
  const reader = req.body?.getReader();
  if (!reader) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLargeError();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) { bytes.set(c, off); off += c.byteLength; }
  return bytes;
}

/** Reads a JSON body, refusing more than `maxBytes` (413) and anything that is not JSON (400/415). */
export async function readJsonBody(req: Request, maxBytes = 16 * 1024): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as JSON with the header content-type: application/json.");
  }
  const text = await readBodyText(req, maxBytes);
  if (text === null) throw new HttpError(400, "invalid_request", "The request has no body; send a JSON object.");
  if (text.trim() === "") throw new HttpError(400, "invalid_request", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "payload_too_large", `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`);
}

/** The path after the function's name, e.g. `/positions/open` for `/functions/v1/api/positions/open`. */
export function subpath(req: Request, functionName: string): string {
  const path = new URL(req.url).pathname;
  const marker = `/${functionName}`;
  const i = path.indexOf(marker);
  if (i < 0) return "/";
  const rest = path.slice(i + marker.length);
  return rest === "" ? "/" : rest.startsWith("/") ? rest.replace(/\/+$/, "") || "/" : "/";
}

/**
 * Parses the URL's query with `schema`: repeated or unknown parameters and invalid values
 * become a 400 whose message lists every problem.
 */
export function parseQuery<S extends z.ZodType>(url: URL, schema: S, accepted: readonly string[]): z.infer<S> {
  const raw: Record<string, string> = {};
  const details: { param: string; message: string }[] = [];
  for (const [k, v] of url.searchParams) {
    if (!accepted.includes(k)) {
      details.push({ param: k, message: `unknown query parameter "${k.slice(0, 40)}"; accepted: ${accepted.length ? accepted.join(", ") : "none"}` });
    } else if (k in raw) {
      details.push({ param: k, message: `${k} is given more than once` });
    } else {
      raw[k] = v;
    }
  }
  const r = schema.safeParse(raw);
  if (r.success && details.length === 0) return r.data;
  if (!r.success) {
    for (const issue of r.error.issues) {
      details.push({ param: String(issue.path[0] ?? "query"), message: issue.message });
    }
  }
  throw new HttpError(400, "invalid_request", details.map((d) => d.message).join("; "), details);
}
