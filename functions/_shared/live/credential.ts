/**
 * The caller's stored credential for one exchange. Read as service_role on the user's behalf
 * (the ciphertext columns are not granted to users), always filtered by the caller's own user
 * id: another user's credential is simply not found. Decrypted in memory only, per request.
 */
import type { AuthUser } from "../auth.ts";
import { withServiceFor } from "../db.ts";
import { updateCredential } from "../credentials/store.ts";
import { EXCHANGE_NAMES } from "../credentials/verify.ts";
import type { AccountMode } from "../exchanges/client.ts";
import type { ExchangeId } from "../domain/types.ts";
import { HttpError } from "../http.ts";

export interface LiveCredentialRow {
  id: string;
  user_id: string;
  exchange: string;
  is_active: boolean;
  verification_status: "unverified" | "verified" | "invalid";
  permissions: Record<string, unknown> | null;
  account_mode: AccountMode | null;
  api_key_ct: string | null;
  secret_key_ct: string | null;
  passphrase_ct: string | null;
}

/** The caller's usable credential for `exchange`; 404 when none (or deleted), 409 when deactivated. */
export async function requireExchangeCredential(user: AuthUser, exchange: ExchangeId): Promise<LiveCredentialRow> {
  const rows = await withServiceFor(user.claims, (tx) => tx`
    select id, user_id, exchange::text as exchange, is_active, verification_status, permissions, account_mode,
           api_key_ct, secret_key_ct, passphrase_ct
      from public.api_credentials
     where user_id = ${user.id} and exchange = ${exchange}::public.exchange_id
       and deleted_at is null and api_key_ct is not null`);
  const row = rows[0] as unknown as LiveCredentialRow | undefined;
  const name = EXCHANGE_NAMES[exchange];
  if (!row) {
    throw new HttpError(
      404,
      "no_credential",
      `You have no ${name} API key stored. Add one first (POST /credentials with "exchange": "${exchange}"), then try again.`,
      { exchange },
    );
  }
  if (!row.is_active) {
    throw new HttpError(
      409,
      "credential_inactive",
      `Your ${name} API key is deactivated. Reactivate it (PATCH /credentials/${row.id} with {"isActive": true}) to read your ${name} account.`,
      { exchange, credential_id: row.id },
    );
  }
  return row;
}

/** The exchange rejected the key: record it, as the sync and re-verify do. */
export async function markCredentialInvalid(user: AuthUser, id: string): Promise<void> {
  await updateCredential(user, id, { verification_status: "invalid" });
}
