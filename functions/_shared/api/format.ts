/** Formatting of API values that the database does not format itself. */

/**
 * A duration in whole seconds as the spec shows it ("2h 15m"): the two largest units, zero
 * units dropped — "45s", "15m", "15m 30s" under an hour, "2h", "2h 15m", "3d", "3d 4h".
 * Negative input (clock skew) counts as 0.
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  const parts: [number, string][] = d > 0 ? [[d, "d"], [h, "h"]] : h > 0 ? [[h, "h"], [m, "m"]] : m > 0 ? [[m, "m"], [sec, "s"]] : [[sec, "s"]];
  const shown = parts.filter(([n], i) => i === 0 || n > 0);
  return shown.map(([n, u]) => `${n}${u}`).join(" ");
}

/** An ISO-8601 UTC string from a Date or a timestamp string (null stays null). */
export function iso(v: Date | string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

/** A JSON-safe integer from bigint / numeric text (ids, counts). */
export function int(v: bigint | number | string): number {
  return typeof v === "number" ? v : Number(v);
}
