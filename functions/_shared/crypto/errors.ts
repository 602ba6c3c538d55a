/**
 * Typed errors of the credential crypto. None of their messages ever contains plaintext,
 * ciphertext or key bytes: only key ids, field names and what to fix.
 */

/** Secrets are missing or malformed. Thrown at load time: the function must not start. */
export class CryptoConfigError extends Error {
  readonly code = "crypto_config" as const;
  /** The env variable at fault (e.g. `CREDENTIAL_KEYS`). */
  readonly variable: string;
  /** The key id at fault, when one is. */
  readonly kid: string | undefined;
  constructor(variable: string, message: string, kid?: string) {
    super(message);
    this.name = "CryptoConfigError";
    this.variable = variable;
    this.kid = kid;
  }
}

export type DecryptFailure =
  /** The value names a key id that is not in `CREDENTIAL_KEYS`. */
  | "unknown_kid"
  /** The value is not `v1:<kid>:<iv>:<ct+tag>` (or a legacy value does not decode). */
  | "malformed"
  /** GCM authentication failed: tampered, or copied from another row/user/field, or wrong key. */
  | "authentication_failed";

/** A stored value could not be decrypted. `field` names the credential column, never its value. */
export class CredentialDecryptError extends Error {
  readonly code: DecryptFailure;
  readonly kid: string | undefined;
  constructor(code: DecryptFailure, message: string, kid?: string) {
    super(message);
    this.name = "CredentialDecryptError";
    this.code = code;
    this.kid = kid;
  }
}

export class UnknownKeyIdError extends CredentialDecryptError {
  constructor(kid: string) {
    super("unknown_kid", `key id ${JSON.stringify(kid)} is not configured (add it to CREDENTIAL_KEYS to read this value)`, kid);
    this.name = "UnknownKeyIdError";
  }
}

export class MalformedCiphertextError extends CredentialDecryptError {
  constructor(detail: string, kid?: string) {
    super("malformed", `malformed encrypted value: ${detail}`, kid);
    this.name = "MalformedCiphertextError";
  }
}

export class DecryptionFailedError extends CredentialDecryptError {
  constructor(kid: string | undefined, what: string) {
    super(
      "authentication_failed",
      `${what} failed authentication: it was altered, or it belongs to another user, exchange or field` +
        (kid ? ` (key id ${JSON.stringify(kid)})` : ""),
      kid,
    );
    this.name = "DecryptionFailedError";
  }
}
