import { describe, expect, it } from "vitest";
import { keyHint, maskKey } from "../../../functions/_shared/credentials/mask.ts";

describe("maskKey", () => {
  it("shows the last 4 characters only", () => {
    expect(maskKey("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")).toBe("••••Eh8A");
    expect(maskKey("bg_0f1e2d3c4b5aabcd")).toBe("••••abcd");
    expect(keyHint("  bg_0f1e2d3c4b5aabcd \n")).toBe("abcd");
  });
  it("short, empty or missing keys show nothing", () => {
    for (const k of ["", "abcd", "12345678", null, undefined]) expect(maskKey(k)).toBe("••••");
    expect(keyHint("123456789")).toBe("6789");
  });
  it("never more than 4 characters of the key", () => {
    const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const masked = maskKey(key);
    for (let i = 0; i + 5 <= key.length; i++) expect(masked).not.toContain(key.slice(i, i + 5));
  });
});
