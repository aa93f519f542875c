/** Ingress bounds (GHSA-8r8v-xf7q-rcpr): out-of-range or mistyped quantities are a 400 before any hold. */
import { assertEquals, assertThrows } from "../../support/assert.ts";
import { billingQuantities } from "../../../relay/billing/request_bounds.ts";
import { BillingInputError } from "../../../relay/billing/errors.ts";

const bad = (body: string, param: string) => {
  const err = assertThrows(() => billingQuantities(JSON.parse(body)), BillingInputError) as BillingInputError;
  assertEquals([err.status, err.code, err.param], [400, "invalid_request_error", param], body);
};

Deno.test('n = 18446744073686646784, -1, 0, "1e9", 1.5 and 1e9 are rejected with a 400', () => {
  bad('{"n": 18446744073686646784}', "n");
  bad('{"n": -1}', "n");
  bad('{"n": 0}', "n");
  bad('{"n": "1e9"}', "n");
  bad('{"n": 1.5}', "n");
  bad('{"n": 1e9}', "n");
  bad('{"n": true}', "n");
});

Deno.test("max_tokens = 2^63 and similar output caps are rejected in every dialect", () => {
  bad('{"max_tokens": 9223372036854775808}', "max_tokens");
  bad('{"max_completion_tokens": -1}', "max_completion_tokens");
  bad('{"max_output_tokens": "100"}', "max_output_tokens");
  bad('{"generationConfig": {"maxOutputTokens": 1e12}}', "generationConfig.maxOutputTokens");
  bad('{"generationConfig": {"candidateCount": 1000}}', "generationConfig.candidateCount");
});

Deno.test("huge seconds, sizes and image counts are rejected", () => {
  bad('{"seconds": "99999999"}', "seconds");
  bad('{"seconds": -4}', "seconds");
  bad('{"size": "99999x99999"}', "size");
  bad('{"size": {"w": 1}}', "size");
  bad('{"n": 129}', "n");
});

Deno.test("valid quantities come back for the reservation", () => {
  assertEquals(billingQuantities({ model: "x" }), { n: 1, maxTokens: 0 });
  assertEquals(billingQuantities({ n: 2, max_tokens: 100, max_completion_tokens: 300 }), {
    n: 2,
    maxTokens: 300,
  });
  assertEquals(billingQuantities({ seconds: "8", size: "1280x720", quality: "hd" }), {
    n: 1,
    maxTokens: 0,
    seconds: 8,
    size: "1280x720",
    quality: "hd",
  });
  assertEquals(billingQuantities({ size: "auto" }).size, "auto");
  assertEquals(billingQuantities({ max_tokens: null }).maxTokens, 0);
});
