/**
 * Re-encrypts every stored credential onto the active key, in batches, while the system serves
 * traffic: each row is updated with a compare-and-swap on the values read (a row changed
 * meanwhile by its user was re-encrypted on the active key by that write, and is left alone).
 * Legacy CBC values (the old backend's, copied into the *_ct columns) are migrated on the way
 * when the legacy secrets are configured. Idempotent: after a crash, run it again.
 */
import type { Sql } from "../db.ts";
import type { CredentialCrypto } from "../crypto/setup.ts";
import {
  type CredentialCiphertextRow, keyUsage, type RetirementReport, retirementReport, rotateBatch, type RotationFailure,
} from "../crypto/rotation.ts";

export interface RotationProgress {
  batches: number;
  scanned: number;
  rotated: number;
  skippedChanged: number;
  failures: RotationFailure[];
}

export async function rotateAllCredentials(
  sql: Sql,
  crypto: CredentialCrypto,
  opts: { batchSize?: number; onBatch?: (p: RotationProgress) => void | Promise<void> } = {},
): Promise<{ progress: RotationProgress; report: RetirementReport }> {
  const batchSize = opts.batchSize ?? 200;
  const progress: RotationProgress = { batches: 0, scanned: 0, rotated: 0, skippedChanged: 0, failures: [] };
  let lastId = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await sql<CredentialCiphertextRow[]>`
      select id::text, user_id::text, exchange::text, api_key_ct, secret_key_ct, passphrase_ct
        from public.api_credentials
       where id > ${lastId}::uuid and (api_key_ct is not null or secret_key_ct is not null or passphrase_ct is not null)
       order by id limit ${batchSize}`;
    if (rows.length === 0) break;
    const batch = await rotateBatch(crypto.keyring, rows, { legacy: crypto.legacy ?? undefined });
    for (const u of batch.updates) {
      const next = { api_key_ct: undefined, secret_key_ct: undefined, passphrase_ct: undefined, ...u.set };
      const row = rows.find((r) => r.id === u.id)!;
      const updated = await sql`
        update public.api_credentials
           set api_key_ct = coalesce(${next.api_key_ct ?? null}, api_key_ct),
               secret_key_ct = coalesce(${next.secret_key_ct ?? null}, secret_key_ct),
               passphrase_ct = coalesce(${next.passphrase_ct ?? null}, passphrase_ct),
               kid = ${u.kid}
         where id = ${u.id}::uuid and user_id = ${row.user_id}::uuid
           and api_key_ct is not distinct from ${row.api_key_ct}
           and secret_key_ct is not distinct from ${row.secret_key_ct}
           and passphrase_ct is not distinct from ${row.passphrase_ct}
        returning id`;
      if (updated.length === 1) progress.rotated++;
      else progress.skippedChanged++;
    }
    progress.batches++;
    progress.scanned += rows.length;
    progress.failures.push(...batch.failures);
    lastId = rows[rows.length - 1].id;
    await opts.onBatch?.(progress);
  }
  // Count the whole table again: only what is stored now says which keys can be retired.
  const all = await sql<CredentialCiphertextRow[]>`select api_key_ct, secret_key_ct, passphrase_ct from public.api_credentials`;
  return { progress, report: retirementReport(crypto.keyring, keyUsage(all)) };
}
