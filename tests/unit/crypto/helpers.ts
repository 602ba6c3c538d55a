import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { loadKeyring, type Keyring } from "../../../functions/_shared/crypto/keyring.ts";

export const KEY_A = randomBytes(32).toString("base64");
export const KEY_B = randomBytes(32).toString("base64");
export const KEY_C = randomBytes(32).toString("base64");

export function keyringEnv(keys: Record<string, string>, active: string): Record<string, string> {
  return { CREDENTIAL_KEYS: JSON.stringify(keys), CREDENTIAL_ACTIVE_KID: active };
}

export function keyring(keys: Record<string, string>, active: string): Promise<Keyring> {
  return loadKeyring(keyringEnv(keys, active));
}

/** Flips one bit of byte `index` of a base64url segment. */
export function flipByte(b64url: string, index: number): string {
  const bytes = Buffer.from(b64url, "base64url");
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] ^= 0x01;
  return bytes.toString("base64url");
}

/** Asserts a thrown error's message and serialisation mention none of `secrets`. */
export function expectNoSecrets(err: unknown, secrets: string[]): void {
  const text = `${String(err)} ${JSON.stringify(err)} ${(err as Error)?.stack ?? ""}`;
  for (const s of secrets) {
    if (s && text.includes(s)) throw new Error(`error text leaks a secret (${s.length} chars)`);
  }
}
