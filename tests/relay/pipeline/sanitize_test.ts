/** Upstream error text never carries keys to clients: redaction, and generic messages for account errors. */
import { assert, assertEquals } from "../../support/assert.ts";
import { clientError } from "../../../relay/pipeline/sanitize.ts";
import { REDACTED, redactSecrets } from "../../../relay/pipeline/redact_secrets.ts";

const user = { secrets: [], admin: false };
import { RelayError } from "../../../relay/formats/errors.ts";

Deno.test("key-like text is redacted", () => {
  const text = redactSecrets(
    "Incorrect API key provided: sk-proj-abc123***xyz. Bearer abc.def api_key=AIzaSyA1234567890 token: 0123456789abcdef0123456789abcdef012 the-key",
    ["the-key"],
  );
  for (const leak of ["abc123", "abc.def", "AIzaSy", "0123456789abcdef", "the-key"]) {
    assert(!text.includes(leak), `${leak} in ${text}`);
  }
  assert(text.startsWith("Incorrect API key provided:"));
});

Deno.test("account and server errors get a generic message; request errors keep the upstream's, redacted", () => {
  const upstream = new RelayError(401, "Incorrect API key provided: sk-abcdefgh", {
    code: "invalid_api_key",
  });
  const auth = clientError(401, upstream, user);
  assertEquals([auth.status, auth.code], [401, "upstream_error"]);
  assert(!auth.message.includes("sk-"));
  assertEquals(
    clientError(503, new RelayError(503, "node x7 down"), user).message,
    "The upstream service failed (HTTP 503)",
  );
  assertEquals(
    clientError(429, new RelayError(429, "org-123 over limit"), user).message.includes("org-123"),
    false,
  );
  const request = clientError(
    400,
    new RelayError(400, "This model's maximum context length is 8192 tokens", {
      code: "context_length_exceeded",
    }),
    user,
  );
  assertEquals([request.status, request.code], [400, "context_length_exceeded"]);
  assert(request.message.startsWith("This model's maximum context length"));
});

Deno.test("words spelling a key's first letters across a space stay; the key split, or 8 of its characters, go", () => {
  const key = "5f0fake1|fakeSparkApiSecret000000000000001|fakeSparkApiKey00000000000000001";
  // "fake Spark" reads `fakeSpark` with the space dropped: 9 characters of the secret, but two words.
  assertEquals(redactSecrets("fake Spark error", [key]), "fake Spark error");
  assertEquals(redactSecrets('{"message":"fake Spark error"}', [key]), '{"message":"fake Spark error"}');
  // Eight characters of the secret with nothing in between are still a leak.
  assertEquals(redactSecrets("saw fakeSpar here", [key]), `saw ${REDACTED} here`);
  // The secret wrapped across lines or fields reads whole.
  const wrapped = redactSecrets(`key was:\nfakeS\nparkA\npiSec\nret00\n00000`, [key]);
  assert(!wrapped.includes("parkA") && !wrapped.includes("piSec"), wrapped);
  // A short secret split by a space is found whole.
  assertEquals(redactSecrets("id 5f0f ake1 end", [key]), `id ${REDACTED} end`);
});
