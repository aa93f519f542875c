/** TOTP against RFC 6238's Appendix B vectors (SHA-1, 8 digits) and the 6-digit, one-step-window rules. */
import { assertEquals } from "../support/assert.ts";
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpStep } from "../../auth/totp.ts";

const rfcKey = new TextEncoder().encode("12345678901234567890");

Deno.test("RFC 6238 Appendix B: SHA-1 vectors", () => {
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [time, code] of vectors) assertEquals(hotp(rfcKey, totpStep(time), 8), code, `T=${time}`);
});

Deno.test("RFC 6238 Appendix B: SHA-256 and SHA-512 vectors (the same HOTP core)", () => {
  const k256 = new TextEncoder().encode("12345678901234567890123456789012");
  const k512 = new TextEncoder().encode("1234567890123456789012345678901234567890123456789012345678901234");
  assertEquals(hotp(k256, totpStep(59), 8, "sha256"), "46119246");
  assertEquals(hotp(k512, totpStep(59), 8, "sha512"), "90693936");
  assertEquals(hotp(k256, totpStep(20000000000), 8, "sha256"), "77737706");
});

Deno.test("RFC 4226 Appendix D: HOTP 6-digit vectors", () => {
  const expected = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
  ];
  expected.forEach((code, counter) => assertEquals(hotp(rfcKey, counter), code));
});

Deno.test("base32 round trip, and the RFC key's base32 form", () => {
  assertEquals(base32Encode(rfcKey), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assertEquals(base32Decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), rfcKey);
  assertEquals(base32Decode("not base32!"), undefined);
});

Deno.test("a code matches one step either side, not two, and not again once used", () => {
  const secret = base32Encode(rfcKey);
  const t = 1111111111;
  const code = hotp(rfcKey, totpStep(t));
  assertEquals(matchTotp(secret, code, t), totpStep(t));
  assertEquals(matchTotp(secret, code, t + 30), totpStep(t));
  assertEquals(matchTotp(secret, code, t - 30), totpStep(t));
  assertEquals(matchTotp(secret, code, t + 60), undefined);
  assertEquals(matchTotp(secret, code, t, totpStep(t)), undefined, "replayed within its window");
  assertEquals(matchTotp(secret, "12345", t), undefined);
  assertEquals(
    otpauthUri("Gateway", "alice", secret),
    "otpauth://totp/Gateway%3Aalice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gateway&algorithm=SHA1&digits=6&period=30",
  );
});
