/**
 * The only view of a stored api key a user ever gets back: its last 4 characters.
 * Keys of 8 characters or fewer show nothing but the bullets (4 characters of a very short key
 * would be half of it).
 */
export const MASK_PREFIX = "••••";

export function keyHint(apiKey: string | null | undefined): string | null {
  if (typeof apiKey !== "string") return null;
  const key = apiKey.trim();
  if (key.length <= 8) return null;
  return key.slice(-4);
}

/** `maskKey("vmPUZE…Eh8A")` → `"••••Eh8A"`; short or empty keys → `"••••"`. */
export function maskKey(apiKey: string | null | undefined): string {
  const hint = keyHint(apiKey);
  return hint === null ? MASK_PREFIX : `${MASK_PREFIX}${hint}`;
}
