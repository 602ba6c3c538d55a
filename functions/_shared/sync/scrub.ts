/**
 * Error text for sync_runs.errors and logs: never a secret. Removes the credential's own key,
 * secret and passphrase wherever they appear, query strings of URLs (signatures, api keys in
 * query parameters), and anything that looks like a signature/key parameter or an auth header;
 * caps the length.
 */
const URL_QUERY = /(https?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*/gi;
const SECRET_PARAMS = /\b(signature|sign|apikey|api_key|api-key|secret|passphrase|access[-_]?key|access[-_]?sign|access[-_]?passphrase|x-mbx-apikey|key)(["']?\s*[=:]\s*["']?)[^\s&"',}]+/gi;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;

export function scrubMessage(message: string, secrets: Array<string | null | undefined> = [], max = 500): string {
  let out = message;
  for (const s of secrets) {
    if (typeof s === "string" && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  out = out.replace(URL_QUERY, "$1?[query redacted]");
  out = out.replace(SECRET_PARAMS, "$1$2[redacted]");
  out = out.replace(BEARER, "Bearer [redacted]");
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
