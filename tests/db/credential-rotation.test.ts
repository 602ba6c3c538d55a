/**
 * Key rotation over the real table: every row re-encrypted onto the new active key in batches,
 * readable before, during and after; legacy CBC rows from the old backend migrated on the way;
 * the old key reported retirable once no row uses it.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptCredentialSecrets, decryptLegacyValue, encryptCredentialSecrets, loadCredentialCrypto } from "../../functions/_shared/crypto/mod.ts";
import { rotateAllCredentials } from "../../functions/_shared/credentials/rotate-all.ts";
import { adminSql, closePools, ownerSql } from "../support/db.ts";
import { createUser, type TestUser } from "../support/users.ts";

const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");
const legacyKey = randomBytes(32);
const legacyIv = randomBytes(16);
const oldEnv = { CREDENTIAL_KEYS: JSON.stringify({ k1 }), CREDENTIAL_ACTIVE_KID: "k1" };
const newEnv = {
  CREDENTIAL_KEYS: JSON.stringify({ k1, k2 }), CREDENTIAL_ACTIVE_KID: "k2",
  CREDENTIAL_ENCRYPTION_KEY: legacyKey.toString("hex"), CREDENTIAL_IV_KEY: legacyIv.toString("hex"),
};

/** The old backend's encryption: AES-256-CBC, one fixed IV, hex output (Node's own crypto). */
function legacyEncrypt(text: string): string {
  const c = createCipheriv("aes-256-cbc", legacyKey, legacyIv);
  return Buffer.concat([c.update(text, "utf8"), c.final()]).toString("hex");
}

const users: TestUser[] = [];
const secretsOf = (i: number) => ({ apiKey: `rotKEY${i}abcdefghijklmnop`, secretKey: `rotSECRET${i}qrstuvwxyz012345`, passphrase: i % 3 === 0 ? `pass${i}` : null });

beforeAll(async () => {
  const old = await loadCredentialCrypto(oldEnv);
  for (let i = 0; i < 25; i++) {
    const u = await createUser(`rot${i}`);
    users.push(u);
    const exchange = i % 3 === 0 ? "bitget" : "binance";
    const ct = await encryptCredentialSecrets(old.keyring, { userId: u.id, exchange }, secretsOf(i));
    await adminSql()`insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct, passphrase_ct, kid, key_hint)
                     values (${u.id}, ${exchange}, ${ct.api_key_ct}, ${ct.secret_key_ct}, ${ct.passphrase_ct}, 'k1', '••••mnop')`;
  }
  // One credential copied as is from the old backend (CBC, fixed IV).
  const legacyUser = await createUser("legacy");
  users.push(legacyUser);
  await adminSql()`insert into public.api_credentials (user_id, exchange, api_key_ct, secret_key_ct, key_hint)
                   values (${legacyUser.id}, 'mexc', ${legacyEncrypt("legacyMEXCkey123456")}, ${legacyEncrypt("legacyMEXCsecret654321")}, '••••3456')`;
});
afterAll(closePools);

async function readAll(env: Record<string, string>) {
  const { keyring, legacy } = await loadCredentialCrypto(env);
  const rows = await adminSql()`select user_id::text, exchange::text, api_key_ct, secret_key_ct, passphrase_ct from public.api_credentials
                                 where user_id = any(${users.map((u) => u.id)}::uuid[]) order by user_id`;
  // Envelope rows decrypt with the keyring; legacy rows (not yet migrated) with the legacy reader.
  return await Promise.all(rows.map(async (r) =>
    r.api_key_ct.startsWith("v1:") ? await decryptCredentialSecrets(keyring, r as never) : { apiKey: await decryptLegacyValue(legacy!, r.api_key_ct) }));
}

describe("rotation to a new key", () => {
  it("re-encrypts every row in batches; all rows stay readable during and after; k1 becomes retirable", async () => {
    const crypto = await loadCredentialCrypto(newEnv);
    const readableDuring: number[] = [];
    const { progress, report } = await rotateAllCredentials(ownerSql(), crypto, {
      batchSize: 4,
      // Readable during: between batches, every row (rotated or not) decrypts with the new keyring.
      onBatch: async () => { readableDuring.push((await readAll(newEnv)).length); },
    });
    expect(progress.batches).toBeGreaterThanOrEqual(7);
    expect(readableDuring.length).toBe(progress.batches);
    // Rows of other test files (on the stack's own key) cannot open with this keyring: they are
    // reported as failures and left alone; none of ours is among them.
    const ours = new Set((await adminSql()`select id::text from public.api_credentials where user_id = any(${users.map((u) => u.id)}::uuid[])`).map((r) => r.id));
    expect(progress.failures.filter((f) => ours.has(f.id))).toEqual([]);
    expect(progress.rotated).toBeGreaterThanOrEqual(26);
    const after = await readAll(newEnv);
    expect(after).toHaveLength(26);
    expect(readableDuring.every((n) => n === 26)).toBe(true);
    const kids = await adminSql()`select distinct kid from public.api_credentials where user_id = any(${users.map((u) => u.id)}::uuid[])`;
    expect(kids.map((k) => k.kid)).toEqual(["k2"]);
    expect(report.retirable).toEqual(["k1"]);
    expect(report.legacyValues).toBe(0);
  });

  it("the legacy CBC row was migrated into the envelope and reads back exactly", async () => {
    const legacyUser = users[users.length - 1];
    const [row] = await adminSql()`select user_id::text, exchange::text, api_key_ct, secret_key_ct, passphrase_ct from public.api_credentials where user_id = ${legacyUser.id}`;
    expect(row.api_key_ct).toMatch(/^v1:k2:/);
    const { keyring } = await loadCredentialCrypto(newEnv);
    expect(await decryptCredentialSecrets(keyring, row as never)).toMatchObject({ apiKey: "legacyMEXCkey123456", secretKey: "legacyMEXCsecret654321" });
  });

  it("running it again changes nothing (idempotent, so an interrupted run can simply be restarted)", async () => {
    const { progress } = await rotateAllCredentials(ownerSql(), await loadCredentialCrypto(newEnv), { batchSize: 10 });
    expect(progress.rotated).toBe(0);
  });

  it("values on k2 no longer open with the old keyring (k1 alone): a clear unknown-key error", async () => {
    const { keyring } = await loadCredentialCrypto(oldEnv);
    const [row] = await adminSql()`select user_id::text, exchange::text, api_key_ct, secret_key_ct, passphrase_ct from public.api_credentials where user_id = ${users[0].id}`;
    await expect(decryptCredentialSecrets(keyring, row as never)).rejects.toThrow(/key id "k2" is not configured/);
    expect(secretsOf(0).apiKey).not.toBe(row.api_key_ct);
  });
});
