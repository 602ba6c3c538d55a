/**
 * Key rotation, as a pure step over one batch of rows (no database here).
 *
 * How a rotation runs (the caller owns the batching and the SQL):
 *   1. Add the new key to `CREDENTIAL_KEYS`, set `CREDENTIAL_ACTIVE_KID` to it, deploy. New
 *      writes now use the new key; every old key stays readable.
 *   2. Page through `api_credentials` by id (`where id > $lastId order by id limit n`), call
 *      `rotateBatch` on each page and apply each update with a compare-and-swap
 *      (`update … set api_key_ct = $new where id = $id and api_key_ct = $expected`), so a row
 *      changed meanwhile by the user is left alone (it was re-encrypted on the active key by
 *      that write anyway). Resume from `lastId` after a crash: the step is idempotent.
 *   3. Merge the batches' `usageAfter` (`mergeKeyUsage`) — or recount the whole table with
 *      `keyUsage` — and read `retirementReport`: a non-active key with zero values can be
 *      removed from `CREDENTIAL_KEYS`.
 * Values that fail to decrypt are reported in `failures` (row id, field, reason; never the
 * value) and keep their key, so that key is never reported retirable while they exist.
 */
import { present } from "./credential-set.ts";
import { kidOf, reencryptValue, type CredentialField, isEnvelope } from "./envelope.ts";
import { CredentialDecryptError, type DecryptFailure } from "./errors.ts";
import type { Keyring } from "./keyring.ts";
import { type LegacyCbc, migrateLegacyValue } from "./legacy-cbc.ts";

export type CiphertextColumn = "api_key_ct" | "secret_key_ct" | "passphrase_ct";

export interface CredentialCiphertextRow {
  id: string;
  user_id: string;
  exchange: string;
  api_key_ct: string | null;
  secret_key_ct: string | null;
  passphrase_ct: string | null;
}

export interface RotationUpdate {
  id: string;
  /** New values for the columns that change. */
  set: Partial<Record<CiphertextColumn, string>>;
  /** The values read, for a compare-and-swap update. */
  expected: Partial<Record<CiphertextColumn, string>>;
  /**
   * The key id every value of the row is on once the update is applied (for a `kid` column),
   * or null when they differ (a value failed to rotate).
   */
  kid: string | null;
}

export interface RotationFailure {
  id: string;
  field: CredentialField;
  code: DecryptFailure;
  /** Safe to log: no plaintext, no ciphertext, no key bytes. */
  message: string;
}

/** How many stored values are on each key id (`legacy`: not an envelope). */
export interface KeyUsage {
  byKid: Record<string, number>;
  legacy: number;
}

export interface RotationBatchResult {
  scannedRows: number;
  /** Rows with at least one re-encrypted value. */
  rotatedRows: number;
  rotatedValues: number;
  updates: RotationUpdate[];
  failures: RotationFailure[];
  /** Usage in this batch as read. */
  usageBefore: KeyUsage;
  /** Usage in this batch once `updates` are applied. */
  usageAfter: KeyUsage;
  /** The largest row id of the batch (resume point), by string order; null for an empty batch. */
  lastId: string | null;
}

export interface RetirementReport {
  activeKid: string;
  /** Values per configured key id (0 for unused ones). */
  valuesByKid: Record<string, number>;
  /** Configured, not active, no value uses them: can be removed from CREDENTIAL_KEYS. */
  retirable: string[];
  /** Configured, not active, still used: keep them. */
  stillInUse: string[];
  /** Key ids found in the data but not configured (those values cannot be read). */
  unknownKids: string[];
  /** Values still in the legacy CBC format. */
  legacyValues: number;
  /** True when every value is on the active key. */
  complete: boolean;
}

const COLUMNS: ReadonlyArray<[CiphertextColumn, CredentialField]> = [
  ["api_key_ct", "api_key"],
  ["secret_key_ct", "secret_key"],
  ["passphrase_ct", "passphrase"],
];


function count(usage: KeyUsage, value: string): void {
  const kid = kidOf(value);
  if (kid === null) usage.legacy += 1;
  else usage.byKid[kid] = (usage.byKid[kid] ?? 0) + 1;
}

/** The key id all of a row's values are on; null when they differ, are legacy, or are all empty. */
export function rowKid(row: Pick<CredentialCiphertextRow, CiphertextColumn>): string | null {
  const kids = new Set(COLUMNS.map(([c]) => row[c]).filter(present).map((v) => kidOf(v)));
  return kids.size === 1 ? [...kids][0] : null;
}

/** Counts the values of some rows per key id. */
export function keyUsage(rows: Iterable<Pick<CredentialCiphertextRow, CiphertextColumn>>): KeyUsage {
  const usage: KeyUsage = { byKid: {}, legacy: 0 };
  for (const row of rows) {
    for (const [column] of COLUMNS) {
      const value = row[column];
      if (present(value)) count(usage, value);
    }
  }
  return usage;
}

export function mergeKeyUsage(...usages: KeyUsage[]): KeyUsage {
  const out: KeyUsage = { byKid: {}, legacy: 0 };
  for (const u of usages) {
    out.legacy += u.legacy;
    for (const [kid, n] of Object.entries(u.byKid)) out.byKid[kid] = (out.byKid[kid] ?? 0) + n;
  }
  return out;
}

/** What can be retired, given the usage of the WHOLE table (merged batches or a recount). */
export function retirementReport(keyring: Keyring, usage: KeyUsage): RetirementReport {
  const valuesByKid: Record<string, number> = {};
  for (const kid of keyring.kids) valuesByKid[kid] = usage.byKid[kid] ?? 0;
  const others = keyring.kids.filter((k) => k !== keyring.activeKid);
  const unknownKids = Object.keys(usage.byKid).filter((k) => !keyring.has(k) && usage.byKid[k] > 0).sort();
  const offActive = Object.entries(usage.byKid).some(([k, n]) => k !== keyring.activeKid && n > 0);
  return {
    activeKid: keyring.activeKid,
    valuesByKid,
    retirable: others.filter((k) => valuesByKid[k] === 0),
    stillInUse: others.filter((k) => valuesByKid[k] > 0),
    unknownKids,
    legacyValues: usage.legacy,
    complete: !offActive && usage.legacy === 0,
  };
}

export interface RotateOptions {
  /** When given, legacy (CBC) values are migrated too; otherwise they are reported as failures. */
  legacy?: LegacyCbc | null;
}

/**
 * Re-encrypts onto the active key every value of the batch that is not on it. Pure apart from
 * the crypto: reads nothing, writes nothing, never throws for a bad row (see `failures`).
 */
export async function rotateBatch(
  keyring: Keyring,
  rows: readonly CredentialCiphertextRow[],
  options: RotateOptions = {},
): Promise<RotationBatchResult> {
  const updates: RotationUpdate[] = [];
  const failures: RotationFailure[] = [];
  const usageBefore: KeyUsage = { byKid: {}, legacy: 0 };
  const usageAfter: KeyUsage = { byKid: {}, legacy: 0 };
  let rotatedValues = 0;
  let lastId: string | null = null;

  for (const row of rows) {
    if (lastId === null || row.id > lastId) lastId = row.id;
    const update: RotationUpdate = { id: row.id, set: {}, expected: {}, kid: null };
    const kidsAfter = new Set<string | null>();
    for (const [column, field] of COLUMNS) {
      const value = row[column];
      if (!present(value)) continue;
      count(usageBefore, value);
      if (kidOf(value) === keyring.activeKid) {
        count(usageAfter, value);
        kidsAfter.add(keyring.activeKid);
        continue;
      }
      const ctx = { userId: row.user_id, exchange: row.exchange, field };
      try {
        let next: string;
        if (isEnvelope(value)) {
          next = await reencryptValue(keyring, value, ctx);
        } else if (options.legacy) {
          next = await migrateLegacyValue(options.legacy, keyring, value, ctx);
        } else {
          throw new CredentialDecryptError(
            "malformed",
            "legacy (non-envelope) value and no legacy key configured (CREDENTIAL_ENCRYPTION_KEY / CREDENTIAL_IV_KEY)",
          );
        }
        update.set[column] = next;
        update.expected[column] = value;
        rotatedValues += 1;
        count(usageAfter, next);
        kidsAfter.add(kidOf(next));
      } catch (err) {
        count(usageAfter, value);
        kidsAfter.add(kidOf(value));
        if (err instanceof CredentialDecryptError) {
          failures.push({ id: row.id, field, code: err.code, message: err.message });
        } else {
          // Unexpected (programming) error: report without the value.
          failures.push({ id: row.id, field, code: "malformed", message: "unexpected error while re-encrypting" });
        }
      }
    }
    if (Object.keys(update.set).length > 0) {
      update.kid = kidsAfter.size === 1 ? [...kidsAfter][0] : null;
      updates.push(update);
    }
  }
  return {
    scannedRows: rows.length,
    rotatedRows: updates.length,
    rotatedValues,
    updates,
    failures,
    usageBefore,
    usageAfter,
    lastId,
  };
}
