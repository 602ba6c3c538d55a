import { describe, expect, it } from "vitest";
import { scrubMessage } from "../../../functions/_shared/sync/scrub.ts";

describe("scrubMessage", () => {
  it("removes the credential's secrets, signed query strings, key parameters and bearer tokens", () => {
    const key = "AbCdEfGh1234567890", secret = "s3cr3tS3cr3tS3cr3t", pass = "myPassphrase";
    const msg = `binance GET https://api.binance.com/api/v3/myTrades?symbol=LTCUSDT&timestamp=1&signature=deadbeef00 401 ` +
      `{"msg":"bad key ${key}","secret":"${secret}"} passphrase=${pass} X-MBX-APIKEY: ${key} Authorization: Bearer eyJhbGciOi.abc.def apiKey=zzz`;
    const out = scrubMessage(msg, [key, secret, pass]);
    for (const s of [key, secret, pass, "deadbeef00", "eyJhbGciOi", "zzz"]) expect(out).not.toContain(s);
    expect(out).toContain("https://api.binance.com/api/v3/myTrades?[query redacted]");
    expect(out).toContain("401");
  });

  it("caps the length and ignores empty or short secrets", () => {
    expect(scrubMessage("x".repeat(2000)).length).toBeLessThanOrEqual(501);
    expect(scrubMessage("a b c", ["", null, undefined, "a"])).toBe("a b c");
  });
});
