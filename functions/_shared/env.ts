/** Reads an environment variable in Deno (Edge Runtime) and in Node (tests, CLIs). */
export function env(name: string): string | undefined {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return g.Deno?.env?.get(name) ?? g.process?.env?.[name];
}

/** Like env(), but a missing value stops with a clear configuration error. */
export function requireEnv(name: string): string {
  const v = env(name);
  if (v === undefined || v === "") throw new Error(`configuration: the environment variable ${name} is not set`);
  return v;
}

/** All environment variables as a record (Deno.env.toObject() or process.env). */
export function envRecord(): Readonly<Record<string, string | undefined>> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return g.Deno?.env?.toObject?.() ?? g.process?.env ?? {};
}
