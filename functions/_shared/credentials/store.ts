/**
 * Database side of the credentials function. Reads run as the calling user (RLS: a stranger's
 * credential is simply not found → 404); writes run as service_role on the user's behalf (users
 * have no write grants on api_credentials) after ownership was checked in the same transaction.
 */
import type { AuthUser } from "../auth.ts";
import type { Tx } from "../db.ts";
import { withService, withServiceFor, withUser } from "../db.ts";
import type { EncryptedCredentialColumns } from "../crypto/credential-set.ts";

/** The columns a user may see (never ciphertext). */
export const MASKED_COLUMNS = [
  "id", "exchange", "label", "is_active", "key_hint", "permissions", "verification_status",
  "verified_at", "last_sync_status", "last_sync_at", "sync_symbols", "created_at", "updated_at",
] as const;
const MASKED = MASKED_COLUMNS.join(", ");

export interface MaskedCredential {
  id: string;
  exchange: string;
  label: string | null;
  is_active: boolean;
  key_hint: string | null;
  permissions: Record<string, unknown> | null;
  verification_status: "unverified" | "verified" | "invalid";
  verified_at: string | null;
  last_sync_status: string | null;
  last_sync_at: string | null;
  /** Symbols the sync covers beside the discovered ones (the user's choice). */
  sync_symbols: string[];
  created_at: string;
  updated_at: string;
}

export interface Verification {
  status: "unverified" | "verified" | "invalid";
  permissions: Record<string, unknown> | null;
  verifiedAt: string | null;
}

export async function listCredentials(user: AuthUser): Promise<MaskedCredential[]> {
  return await withUser(user.claims, (tx) =>
    tx.unsafe(`select ${MASKED} from public.api_credentials_masked where deleted_at is null order by exchange`)
  ) as unknown as MaskedCredential[];
}

/** The user's own credential (any state but purged), or null. */
export async function findOwnCredential(tx: Tx, id: string): Promise<(MaskedCredential & { deleted_at: string | null }) | null> {
  const rows = await tx.unsafe(`select ${MASKED}, deleted_at from public.api_credentials_masked where id = $1`, [id]);
  return (rows[0] as unknown as MaskedCredential & { deleted_at: string | null }) ?? null;
}

/** Upserts per (user, exchange), as the spec's unique constraint says; reactivates a deleted one. */
export async function saveCredential(
  user: AuthUser,
  input: { exchange: string; label: string | null; keyHint: string | null; kid: string; columns: EncryptedCredentialColumns; verification: Verification },
): Promise<{ credential: MaskedCredential; created: boolean }> {
  return await withServiceFor(user.claims, async (tx) => {
    const rows = await tx.unsafe(
      `insert into public.api_credentials as c
         (user_id, exchange, label, is_active, api_key_ct, secret_key_ct, passphrase_ct, kid, key_hint,
          permissions, verification_status, verified_at, deleted_at)
       values ($1, $2::public.exchange_id, $3, true, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::timestamptz, null)
       on conflict (user_id, exchange) do update set
         label = coalesce(excluded.label, c.label), is_active = true, api_key_ct = excluded.api_key_ct,
         secret_key_ct = excluded.secret_key_ct, passphrase_ct = excluded.passphrase_ct, kid = excluded.kid,
         key_hint = excluded.key_hint, permissions = excluded.permissions,
         verification_status = excluded.verification_status, verified_at = excluded.verified_at, deleted_at = null
       returning ${MASKED}, (xmax = 0) as created`,
      [
        user.id, input.exchange, input.label, input.columns.api_key_ct, input.columns.secret_key_ct,
        input.columns.passphrase_ct, input.kid, input.keyHint,
        input.verification.permissions as never,
        input.verification.status, input.verification.verifiedAt,
      ],
    );
    const { created, ...credential } = rows[0] as unknown as MaskedCredential & { created: boolean };
    return { credential, created };
  });
}

/** Applies `set` (trusted column names → values) to the user's credential `id`; null when not theirs. */
export async function updateCredential(user: AuthUser, id: string, set: Record<string, unknown>): Promise<MaskedCredential | null> {
  const cols = Object.keys(set);
  if (cols.length === 0) throw new Error("updateCredential: nothing to set");
  const cast: Record<string, string> = { permissions: "::jsonb", sync_symbols: "::text[]" };
  const assignments = cols.map((c, i) => `${c} = $${i + 3}${cast[c] ?? ""}`).join(", ");
  // postgres.js serialises objects bound to a jsonb parameter itself.
  const values = cols.map((c) => set[c]);
  return await withServiceFor(user.claims, async (tx) => {
    const rows = await tx.unsafe(
      `update public.api_credentials set ${assignments} where user_id = $1 and id = $2 returning ${MASKED}`,
      [user.id, id, ...values] as never[],
    );
    return (rows[0] as unknown as MaskedCredential) ?? null;
  });
}

/** Soft delete: deactivate, wipe the ciphertext, stamp deleted_at. */
export async function softDeleteCredential(user: AuthUser, id: string): Promise<MaskedCredential | null> {
  return await updateCredential(user, id, {
    is_active: false, api_key_ct: null, secret_key_ct: null, passphrase_ct: null, kid: null, deleted_at: new Date().toISOString(),
  });
}

/** Hard purge ("delete my data"): the row is gone; the audit trail keeps a masked record. */
export async function purgeCredential(user: AuthUser, id: string): Promise<boolean> {
  return await withServiceFor(user.claims, async (tx) => {
    const rows = await tx`delete from public.api_credentials where user_id = ${user.id} and id = ${id} returning id`;
    return rows.length === 1;
  });
}

/** The stored ciphertext of the user's credential, for server-side decryption only. */
export async function loadCiphertext(user: AuthUser, id: string): Promise<
  { exchange: string; user_id: string; api_key_ct: string | null; secret_key_ct: string | null; passphrase_ct: string | null } | null
> {
  return await withServiceFor(user.claims, async (tx) => {
    const rows = await tx`
      select user_id, exchange::text as exchange, api_key_ct, secret_key_ct, passphrase_ct
        from public.api_credentials where user_id = ${user.id} and id = ${id} and deleted_at is null`;
    return (rows[0] as never) ?? null;
  });
}

/** Records a security event for operators (ops.security_events): a kind, who, which credential, a reason code — never a secret. */
export async function recordSecurityEvent(
  kind: "decryption_failure" | "credential_invalidated" | "rate_limited",
  userId: string | null,
  credentialId: string | null,
  detail: string | null,
): Promise<void> {
  await withService(async (tx) => {
    await tx`insert into ops.security_events (kind, user_id, credential_id, detail)
             values (${kind}, ${userId}, ${credentialId}, ${detail === null ? null : detail.slice(0, 500)})`;
  });
}
