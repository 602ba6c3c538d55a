/** Credential crypto: envelope (AES-256-GCM), keyring, legacy CBC import, rotation. */
export * from "./errors.ts";
export * from "./keyring.ts";
export * from "./envelope.ts";
export * from "./credential-set.ts";
export * from "./legacy-cbc.ts";
export * from "./rotation.ts";
export * from "./setup.ts";
