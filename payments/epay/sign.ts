/**
 * Epay (易支付 / YiPay) signing: MD5 over the parameters sorted by name, `sign`, `sign_type` and empty
 * values left out, joined as `k=v&k=v`, with the merchant key appended. Pure; the routes do the I/O.
 */
import { createHash } from "node:crypto";
import { equalSecrets } from "../../crypto/equal.ts";

export type EpayParams = Record<string, string>;

/** The string Epay signs: what both sides must agree on byte for byte. */
export function epaySignedText(params: EpayParams): string {
  return Object.keys(params)
    .filter((k) => k !== "sign" && k !== "sign_type" && params[k] !== "")
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

export function epaySign(params: EpayParams, key: string): string {
  return createHash("md5").update(epaySignedText(params) + key).digest("hex");
}

/** True when `params.sign` is the MD5 signature of the rest under `key` (compared in constant time). */
export function epayVerify(params: EpayParams, key: string): boolean {
  if (key === "" || typeof params.sign !== "string") return false;
  return equalSecrets(epaySign(params, key), params.sign.toLowerCase());
}
