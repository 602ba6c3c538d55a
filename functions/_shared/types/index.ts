/**
 * Everything a frontend needs to type its calls to this backend, from one module:
 *   - `Database` (and `Tables`, `Enums`, …): `supabase gen types typescript` output for schema
 *     public, for `createClient<Database>(…)` — tables, views and RPCs of supabase.from / .rpc;
 *   - the zod schemas and types of the `api` Edge Function's responses (decimal strings for money).
 * Depends on zod only.
 */
export * from "./database.ts";
export * from "./api.ts";
