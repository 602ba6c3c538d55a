/**
 * One call for a function's start: the keyring (required) and the legacy CBC reader (only when
 * `CREDENTIAL_ENCRYPTION_KEY` / `CREDENTIAL_IV_KEY` are set). Throws `CryptoConfigError` on any
 * misconfiguration — let it stop the function; its message is safe to log.
 *
 *   const crypto = await loadCredentialCrypto(Deno.env.toObject());   // or process.env
 */
import { type EnvRecord, type Keyring, loadKeyring } from "./keyring.ts";
import { type LegacyCbc, loadLegacyCbc } from "./legacy-cbc.ts";

export interface CredentialCrypto {
  keyring: Keyring;
  /** null when no legacy secrets are configured. */
  legacy: LegacyCbc | null;
}

export async function loadCredentialCrypto(env: EnvRecord): Promise<CredentialCrypto> {
  return { keyring: await loadKeyring(env), legacy: await loadLegacyCbc(env) };
}
