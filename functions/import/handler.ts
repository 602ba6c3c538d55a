/**
 * `import`: a signed-in user uploads an exchange export (CSV); it is parsed, stored (all or
 * nothing per file, idempotent) and run through the PnL engine.
 *
 *   POST /import?exchange=binance&kind=spot-trades[&utc_offset=+08:00][&file_name=…]
 *   body: the file itself (text/csv, text/plain or application/octet-stream),
 *         or multipart/form-data with the file in the field `file`.
 *
 * The file's name (multipart, or `file_name`) gives the zone of exports that write local times:
 * Binance names its downloads `…(UTC+8).csv`. An explicit `utc_offset` that contradicts it is a 422.
 *
 * 200 with counts; 422 with every bad row (line, column, value, problem) and nothing written;
 * 413 over MAX_UPLOAD_BYTES (larger exports: split them or use `npm run import`).
 *
 *   GET /import/formats[?exchange=gateio][&kind=statement]
 *
 * The layouts the importer accepts (for an upload page): id, exchange, kind, label, the exact
 * header, its delimiter, whether its times are UTC or the export's zone, and how it is confirmed
 * (`rows`: tested over real published rows; `header`; `none`) with its source.
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth.ts";
import { HttpError, json, parseQuery, readBodyBytes, serveJson, subpath } from "../_shared/http.ts";
import { importExport } from "../_shared/imports/persist.ts";
import { decodeExport } from "../_shared/imports/csv.ts";
import { FORMATS, IMPORT_KINDS } from "../_shared/imports/formats.ts";
import { TradingExchange } from "../_shared/domain/exchanges.ts";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const querySchema = z.strictObject({
  exchange: TradingExchange.optional(),
  kind: z.enum(IMPORT_KINDS as unknown as [string, ...string[]], { error: `kind must be one of ${IMPORT_KINDS.join(", ")}` }).optional(),
  utc_offset: z.string().regex(/^(Z|UTC|[+-]\d{1,2}(:?\d{2})?)$/, "utc_offset looks like +08:00, -05:30 or Z").optional(),
  file_name: z.string().max(255, "file_name is at most 255 characters").optional(),
}, { error: (i) => i.code === "unrecognized_keys" ? `unknown query parameter(s): ${i.keys.join(", ")} (accepted: exchange, kind, utc_offset, file_name)` : undefined });

/** Reads the upload (raw or multipart) and its file name, refusing more than MAX_UPLOAD_BYTES. */
async function readUpload(req: Request): Promise<{ text: string; name?: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_UPLOAD_BYTES) throw tooLarge();
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    const form = await req.formData().catch(() => { throw new HttpError(400, "invalid_upload", "The multipart body could not be read."); });
    const file = form.get("file");
    if (!file || typeof file === "string") throw new HttpError(400, "invalid_upload", "Send the export in the multipart field \"file\".");
    if (file.size > MAX_UPLOAD_BYTES) throw tooLarge();
    return { text: decodeExport(new Uint8Array(await file.arrayBuffer())), name: file.name || undefined };
  }
  if (type && !/^(text\/csv|text\/plain|application\/octet-stream|application\/vnd\.ms-excel)/.test(type)) {
    throw new HttpError(415, "unsupported_media_type", "Send the export as text/csv (or multipart/form-data with a \"file\" field).");
  }
  const bytes = await readBodyBytes(req, MAX_UPLOAD_BYTES, tooLarge);
  const text = bytes ? decodeExport(bytes) : "";
  if (!text) throw new HttpError(400, "empty_upload", "The upload is empty (0 bytes): send the CSV export as the request body.");
  return { text };
}

function tooLarge(): HttpError {
  return new HttpError(413, "payload_too_large",
    `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Split the export by date range, or import it with the CLI (npm run import).`);
}

const formatsQuery = z.object({ exchange: querySchema.shape.exchange, kind: querySchema.shape.kind });

/** GET /import/formats: the accepted layouts, optionally for one exchange and/or kind. */
async function listFormats(req: Request): Promise<Response> {
  await requireUser(req);
  const q = parseQuery(new URL(req.url), formatsQuery, ["exchange", "kind"]);
  const formats = FORMATS
    .filter((f) => (!q.exchange || f.exchange === q.exchange) && (!q.kind || f.kind === q.kind))
    .map((f) => ({
      id: f.id, exchange: f.exchange, kind: f.kind, label: f.label, header: f.header, delimiter: f.delimiter ?? ",",
      times: f.zone === "utc" ? "utc" : "export zone", confirmed: f.confirmed, source: f.source,
    }));
  return json({ formats });
}

export default serveJson("import", async (req) => {
  if (subpath(req, "import") === "/formats") {
    if (req.method === "GET") return await listFormats(req);
    throw new HttpError(405, "method_not_allowed", "Use GET here.", undefined, { allow: "GET, OPTIONS" });
  }
  if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "Use POST with the export as the body.", undefined, { allow: "POST, OPTIONS" });
  const user = await requireUser(req);
  const q = querySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) {
    throw new HttpError(400, "invalid_request", q.error.issues.map((i) => i.message).join("; "),
      q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  const upload = await readUpload(req);
  const result = await importExport({
    userId: user.id, actorClaims: { ...user.claims, role: "service_role" }, text: upload.text,
    exchange: q.data.exchange as never, kind: q.data.kind as never, utcOffset: q.data.utc_offset,
    fileName: q.data.file_name ?? upload.name,
  });
  if (!result.ok) {
    return json({
      error: {
        code: "invalid_export",
        message: result.format
          ? `${result.error_count} row(s) of this ${result.format.label} export are invalid; nothing was imported. Fix them and upload the file again.`
          : result.errors[0]?.problem ?? "The file is not a supported export.",
        details: { format: result.format, errors: result.errors, error_count: result.error_count },
      },
    }, 422);
  }
  const { streams: _s, ...summary } = result;
  return json(summary);
});
