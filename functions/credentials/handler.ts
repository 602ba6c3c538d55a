/**
 * `credentials`: users hand over exchange API keys once; they are verified with the exchange,
 * encrypted here (AES-256-GCM envelope, never in the browser) and never shown again.
 *
 *   GET    /credentials               masked list of the caller's credentials
 *   POST   /credentials               save (upsert per exchange): verify → encrypt → store
 *   PATCH  /credentials/:id           label, isActive, syncSymbols, or replace the key (re-verified)
 *   DELETE /credentials/:id[?purge=true]  deactivate and wipe the ciphertext; purge removes the row
 *   POST   /credentials/:id/verify    test the stored key again (marks it invalid when rejected)
 */
import { z } from "zod";
import { requireUser, type AuthUser } from "../_shared/auth.ts";
import { withUser } from "../_shared/db.ts";
import { envRecord } from "../_shared/env.ts";
import { HttpError, json, readJsonBody, serveJson, subpath } from "../_shared/http.ts";
import {
  CredentialDecryptError, decryptCredentialSecrets, encryptCredentialSecrets, loadCredentialCrypto,
} from "../_shared/crypto/mod.ts";
import {
  isVerifiable, maskKey, parsePatchBody, parseSaveBody, verifyExchangeKey, verifyOptionsFromEnv,
  type VerifyResult,
} from "../_shared/credentials/mod.ts";
import {
  findOwnCredential, listCredentials, loadCiphertext, purgeCredential, recordSecurityEvent, saveCredential, softDeleteCredential,
  updateCredential, type Verification,
} from "../_shared/credentials/store.ts";
import type { ExchangeId } from "../_shared/domain/types.ts";

// Start-up: a malformed, short or missing key stops the function here, with a clear error.
const { keyring } = await loadCredentialCrypto(envRecord());
const verifyOptions = verifyOptionsFromEnv(envRecord());
const MAX_BODY = 16 * 1024;

const idSchema = z.uuid();
const purgeSchema = z.enum(["true", "false"]).optional();

function parseId(raw: string): string {
  const r = idSchema.safeParse(raw);
  if (!r.success) throw new HttpError(400, "invalid_id", `"${raw.slice(0, 60)}" is not a credential id (a UUID).`);
  return r.data;
}

function invalid(error: { code: string; message: string; details?: unknown }): never {
  throw new HttpError(400, error.code, error.message, error.details);
}

function notFound(): never {
  throw new HttpError(404, "not_found", "No credential with this id belongs to you.");
}

/** Verifies a key; failures become the HTTP answer (nothing is stored). */
async function verifyOrThrow(exchange: ExchangeId, secrets: { apiKey: string; secretKey: string | null; passphrase: string | null }): Promise<Verification> {
  const result = await verifyExchangeKey(exchange, { apiKey: secrets.apiKey, secretKey: secrets.secretKey ?? "", passphrase: secrets.passphrase }, verifyOptions);
  if (!result.ok) throw verificationError(result);
  return { status: "verified", permissions: { ...result.permissions }, verifiedAt: result.verifiedAt };
}

function verificationError(result: Extract<VerifyResult, { ok: false }>): HttpError {
  return new HttpError(result.httpStatus, result.status, result.message, {
    exchange: result.exchange,
    exchange_reason: result.exchangeReason,
    ...(result.permissions ? { permissions: result.permissions } : {}),
  });
}

async function save(req: Request, user: AuthUser): Promise<Response> {
  const parsed = parseSaveBody(await readJsonBody(req, MAX_BODY));
  if (!parsed.ok) invalid(parsed.error);
  const input = parsed.data;
  const verification: Verification = input.verify && isVerifiable(input.exchange)
    ? await verifyOrThrow(input.exchange as ExchangeId, input)
    : { status: "unverified", permissions: null, verifiedAt: null };
  const columns = await encryptCredentialSecrets(keyring, { userId: user.id, exchange: input.exchange }, input);
  const { credential, created } = await saveCredential(user, {
    exchange: input.exchange, label: input.label, keyHint: maskKey(input.apiKey), kid: keyring.activeKid, columns, verification,
  });
  return json({ credential }, created ? 201 : 200);
}

async function patch(req: Request, user: AuthUser, id: string): Promise<Response> {
  const body = await readJsonBody(req, MAX_BODY);
  const current = await withUser(user.claims, (tx) => findOwnCredential(tx, id));
  if (!current) notFound();
  const parsed = parsePatchBody(body, current.exchange as never);
  if (!parsed.ok) invalid(parsed.error);
  const change = parsed.data;
  const set: Record<string, unknown> = {};
  if (change.label !== undefined) set.label = change.label;
  if (change.syncSymbols !== undefined) set.sync_symbols = change.syncSymbols;
  if (change.secrets) {
    const verification: Verification = change.verify && isVerifiable(current.exchange)
      ? await verifyOrThrow(current.exchange as ExchangeId, change.secrets)
      : { status: "unverified", permissions: null, verifiedAt: null };
    Object.assign(set, await encryptCredentialSecrets(keyring, { userId: user.id, exchange: current.exchange }, change.secrets), {
      kid: keyring.activeKid,
      key_hint: maskKey(change.secrets.apiKey),
      permissions: verification.permissions,
      verification_status: verification.status,
      verified_at: verification.verifiedAt,
      deleted_at: null,
      is_active: change.isActive ?? true,
    });
  } else if (change.isActive !== undefined) {
    if (change.isActive && current.deleted_at !== null) {
      throw new HttpError(409, "credential_deleted", "This credential was deleted and its key wiped: save the key again (POST /credentials) to reactivate it.");
    }
    set.is_active = change.isActive;
  }
  const credential = await updateCredential(user, id, set);
  if (!credential) notFound();
  return json({ credential });
}

async function remove(req: Request, user: AuthUser, id: string): Promise<Response> {
  const purge = purgeSchema.safeParse(new URL(req.url).searchParams.get("purge") ?? undefined);
  if (!purge.success) throw new HttpError(400, "invalid_request", "purge must be true or false.");
  if (purge.data === "true") {
    if (!(await purgeCredential(user, id))) notFound();
    return json({ deleted: true, purged: true });
  }
  const current = await withUser(user.claims, (tx) => findOwnCredential(tx, id));
  if (!current) notFound();
  const credential = await softDeleteCredential(user, id);
  return json({ deleted: true, purged: false, credential });
}

async function reverify(user: AuthUser, id: string): Promise<Response> {
  const row = await loadCiphertext(user, id);
  if (!row || !row.api_key_ct) notFound();
  if (!isVerifiable(row.exchange)) {
    throw new HttpError(422, "not_verifiable", `${row.exchange} keys cannot be verified: it is a market-data service, not an exchange.`);
  }
  let secrets;
  try {
    secrets = await decryptCredentialSecrets(keyring, row);
  } catch (err) {
    if (err instanceof CredentialDecryptError) {
      console.error(`credentials: decryption failed (${err.code}) for a stored credential`);
      await recordSecurityEvent("decryption_failure", user.id, id, err.code);
      throw new HttpError(409, "credential_unreadable", "The stored key can no longer be decrypted; save the key again.");
    }
    throw err;
  }
  const result = await verifyExchangeKey(row.exchange as ExchangeId, { apiKey: secrets.apiKey, secretKey: secrets.secretKey ?? "", passphrase: secrets.passphrase }, verifyOptions);
  if (!result.ok) {
    if (result.status === "invalid_key" || result.status === "withdraw_enabled") {
      await updateCredential(user, id, { verification_status: "invalid", ...(result.permissions ? { permissions: { ...result.permissions } } : {}) });
      await recordSecurityEvent("credential_invalidated", user.id, id, result.status);
    }
    throw verificationError(result);
  }
  const credential = await updateCredential(user, id, {
    verification_status: "verified", permissions: { ...result.permissions }, verified_at: result.verifiedAt,
  });
  return json({ credential, checks: result.summary.checks });
}

function methodNotAllowed(allow: string): never {
  throw new HttpError(405, "method_not_allowed", `Use ${allow.replace(", OPTIONS", "")} here.`, undefined, { allow });
}

export default serveJson("credentials", async (req) => {
  const user = await requireUser(req);
  const parts = subpath(req, "credentials").split("/").filter(Boolean);
  if (parts.length === 0) {
    if (req.method === "GET") return json({ credentials: await listCredentials(user) });
    if (req.method === "POST") return await save(req, user);
    methodNotAllowed("GET, POST, OPTIONS");
  }
  if (parts.length === 1) {
    const id = parseId(parts[0]);
    if (req.method === "PATCH") return await patch(req, user, id);
    if (req.method === "DELETE") return await remove(req, user, id);
    methodNotAllowed("PATCH, DELETE, OPTIONS");
  }
  if (parts.length === 2 && parts[1] === "verify") {
    const id = parseId(parts[0]);
    if (req.method === "POST") return await reverify(user, id);
    methodNotAllowed("POST, OPTIONS");
  }
  throw new HttpError(404, "not_found", "Unknown route. Routes: GET|POST /credentials, PATCH|DELETE /credentials/:id, POST /credentials/:id/verify.");
});

