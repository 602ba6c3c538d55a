/**
 * Encrypt / decrypt the three secret columns of one `api_credentials` row at once.
 *
 * `decryptCredentialSecrets` is the server-side decrypt helper for other functions (the sync):
 * never expose its result over HTTP, never log it.
 */
import { decryptValue, encryptValue } from "./envelope.ts";
import { MalformedCiphertextError } from "./errors.ts";
import type { Keyring } from "./keyring.ts";

export interface CredentialSecrets {
  apiKey: string;
  /** null only for keys that have no secret (alpha_vantage). */
  secretKey: string | null;
  passphrase: string | null;
}

/** The encrypted columns as stored. */
export interface EncryptedCredentialColumns {
  api_key_ct: string;
  secret_key_ct: string | null;
  passphrase_ct: string | null;
}

export interface CredentialOwner {
  userId: string;
  /** Database enum spelling: binance | bitget | gateio | mexc | alpha_vantage. */
  exchange: string;
}

/** A row as read from the database (extra columns are ignored). */
export interface StoredCredentialRow {
  user_id: string;
  exchange: string;
  api_key_ct: string | null;
  secret_key_ct: string | null;
  passphrase_ct: string | null;
}

/** A stored or submitted credential value that is there (a non-empty string). */
export const present = (v: string | null | undefined): v is string => typeof v === "string" && v !== "";

export async function encryptCredentialSecrets(
  keyring: Keyring,
  owner: CredentialOwner,
  secrets: CredentialSecrets,
): Promise<EncryptedCredentialColumns> {
  const base = { userId: owner.userId, exchange: owner.exchange };
  return {
    api_key_ct: await encryptValue(keyring, secrets.apiKey, { ...base, field: "api_key" }),
    secret_key_ct: present(secrets.secretKey)
      ? await encryptValue(keyring, secrets.secretKey, { ...base, field: "secret_key" })
      : null,
    passphrase_ct: present(secrets.passphrase)
      ? await encryptValue(keyring, secrets.passphrase, { ...base, field: "passphrase" })
      : null,
  };
}

/**
 * Decrypts a stored row. Throws `CredentialDecryptError` subclasses (no secret in messages);
 * a row whose ciphertext was wiped (deleted credential) throws `MalformedCiphertextError`.
 */
export async function decryptCredentialSecrets(keyring: Keyring, row: StoredCredentialRow): Promise<CredentialSecrets> {
  if (!present(row.api_key_ct)) {
    throw new MalformedCiphertextError("the credential has no stored api key (it was deleted or wiped)");
  }
  const base = { userId: row.user_id, exchange: row.exchange };
  return {
    apiKey: await decryptValue(keyring, row.api_key_ct, { ...base, field: "api_key" }),
    secretKey: present(row.secret_key_ct)
      ? await decryptValue(keyring, row.secret_key_ct, { ...base, field: "secret_key" })
      : null,
    passphrase: present(row.passphrase_ct)
      ? await decryptValue(keyring, row.passphrase_ct, { ...base, field: "passphrase" })
      : null,
  };
}
