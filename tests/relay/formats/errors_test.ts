/** The error renderer: one typed error, the right shape and status in each dialect (§1.3f, §3.5f, §4.4f, §5.19). */
import {
  asRelayError,
  errorFromStreamPayload,
  errorFromUpstream,
  invalidRequest,
  RelayError,
  renderError,
  renderStreamError,
} from "../../../relay/formats/errors.ts";
import { CODECS } from "../../../relay/formats/translate.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

Deno.test("error bodies take each dialect's shape", () => {
  const err = invalidRequest("messages: must contain at least one message", "messages");
  assertEquals(renderError("openai_chat", err), {
    status: 400,
    body: {
      error: {
        message: "messages: must contain at least one message",
        type: "invalid_request_error",
        param: "messages",
        code: "invalid_request_error",
      },
    },
  });
  assertEquals(renderError("claude", err, { requestId: "req_1" }), {
    status: 400,
    body: {
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "messages: must contain at least one message (request id: req_1)",
      },
      request_id: "req_1",
    },
  });
  assertEquals(renderError("gemini", err), {
    status: 400,
    body: {
      error: {
        code: 400,
        message: "messages: must contain at least one message",
        status: "INVALID_ARGUMENT",
      },
    },
  });
});

Deno.test("equivalent failures map across dialects (§5.19 table)", () => {
  const overloaded = new RelayError(503, "Overloaded");
  assertEquals(renderError("openai_chat", overloaded).status, 503);
  const claude = renderError("claude", overloaded);
  assertEquals([claude.status, (claude.body as { error: { type: string } }).error.type], [
    529,
    "overloaded_error",
  ]);
  const gemini = renderError("gemini", new RelayError(529, "Overloaded"));
  assertEquals([gemini.status, (gemini.body as { error: { status: string } }).error.status], [
    503,
    "UNAVAILABLE",
  ]);
  const quota = renderError("gemini", new RelayError(429, "slow down")).body as { error: { status: string } };
  assertEquals(quota.error.status, "RESOURCE_EXHAUSTED");
  const badKey = renderError("gemini", new RelayError(401, "bad key"));
  assertEquals(badKey.status, 400);
  assertEquals(
    (badKey.body as { error: { details: { reason: string }[] } }).error.details[0].reason,
    "API_KEY_INVALID",
  );
  assertEquals(
    (renderError("claude", new RelayError(401, "bad key")).body as { error: { type: string } }).error.type,
    "authentication_error",
  );
});

Deno.test("in-stream error events per dialect", () => {
  const err = new RelayError(500, "boom", { code: "server_error" });
  assertEquals(renderStreamError("openai_chat", err), [{
    data: '{"error":{"message":"boom","type":"server_error","param":null,"code":"server_error"}}',
  }]);
  assertEquals(renderStreamError("claude", err), [{
    event: "error",
    data: '{"type":"error","error":{"type":"api_error","message":"boom"}}',
  }]);
  assertEquals(renderStreamError("openai_responses", err, { sequenceNumber: 7 }), [{
    event: "error",
    data: '{"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":7}',
  }]);
  assertEquals(renderStreamError("gemini", err), [{
    data: '{"error":{"code":500,"message":"boom","status":"INTERNAL"}}',
  }]);
});

Deno.test("upstream error bodies of any dialect become a RelayError", () => {
  const openai = errorFromUpstream(429, {
    error: { message: "quota", type: "insufficient_quota", param: null, code: "insufficient_quota" },
  });
  assertEquals([openai.status, openai.message, openai.code], [429, "quota", "insufficient_quota"]);
  const claude = errorFromUpstream(529, {
    type: "error",
    error: { type: "overloaded_error", message: "Overloaded" },
  });
  assertEquals([claude.status, claude.code], [529, "overloaded_error"]);
  const gemini = errorFromUpstream(400, { error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } });
  assertEquals([gemini.message, gemini.code], ["bad", "INVALID_ARGUMENT"]);
  assertEquals(errorFromUpstream(502, "<html>bad gateway</html>").message, "<html>bad gateway</html>");
  const flat = errorFromStreamPayload({
    type: "error",
    code: "rate_limit_exceeded",
    message: "x",
    sequence_number: 3,
  });
  assertEquals([flat.status, flat.code], [429, "rate_limit_exceeded"]);
  assertEquals(
    errorFromStreamPayload({ type: "error", error: { type: "rate_limit_error", message: "x" } }).status,
    429,
  );
  assertEquals(
    errorFromStreamPayload({ error: { code: 503, message: "x", status: "UNAVAILABLE" } }).status,
    503,
  );
});

Deno.test("anything else thrown is a 500 that leaks nothing", () => {
  const err = asRelayError(
    new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app.ts:12"),
  );
  assertEquals([err.status, err.message], [500, "internal error while translating the request"]);
});

Deno.test("upstream answers that are errors or not JSON objects throw RelayErrors", () => {
  for (const codec of Object.values(CODECS)) {
    const e = assertThrows(() => codec.decodeResponse("oops"), RelayError) as RelayError;
    assertEquals([e.status, e.code], [502, "bad_response_body"]);
    const u = assertThrows(() => codec.decodeResponse({ error: { message: "nope", type: "x" } }), RelayError);
    assertEquals(u.message, "nope");
  }
  const failed = {
    id: "r",
    object: "response",
    status: "failed",
    error: { code: "server_error", message: "model crashed" },
  };
  assertEquals(
    assertThrows(() => CODECS.openai_responses.decodeResponse(failed), RelayError).message,
    "model crashed",
  );
});
