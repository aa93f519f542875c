/**
 * A fake Google Vertex AI with its OAuth token endpoint. `POST /token` takes the JWT bearer grant (RFC 7523,
 * as Google's token endpoint does): the assertion's RS256 signature is verified with the service account's
 * public key, and `iss`, `aud` and `scope` checked, before an access token with `expires_in` is issued.
 * Model calls (`/v1/projects/{project}/locations/{region}/publishers/{google|anthropic}/models/{model}:
 * {method}`) need a live token and the project in `x-goog-user-project`; or, on the project-less
 * `/v1/publishers/...` paths, an API key in `x-goog-api-key`. They are answered by a regular fake upstream
 * behind it: Gemini methods as Gemini's, Claude's `rawPredict`/`streamRawPredict` as Anthropic Messages
 * once the Vertex rules are checked (`anthropic_version: vertex-2023-10-16`, no `model` in the body).
 * Veo's `:predictLongRunning` and `:fetchPredictOperation` are answered here, under the same token check.
 */
import { jwtVerify } from "jose";
import { type FakeUpstream, startFakeUpstream } from "./mod.ts";
import { RecordedRequest } from "./recording.ts";
import { FAKE_MP4 } from "./openai_video.ts";

export interface FakeVertex extends AsyncDisposable {
  url: string;
  /** The regular fake answering behind Vertex. */
  inner: FakeUpstream;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** Token grants issued, and assertions refused (with why). */
  tokensIssued: number;
  refused: string[];
  /** Veo operations by name (`predictLongRunning` / `fetchPredictOperation`). */
  operations: Map<string, { polls: number; fail: boolean; body: Record<string, unknown> }>;
  /** The service-account JSON key for this fake (its `token_uri` points here). */
  serviceAccount: Record<string, string>;
  close(): Promise<void>;
}

function googleError(status: number, message: string, code: string): Response {
  return Response.json({ error: { code: status, message, status: code } }, { status });
}

function pem(der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN PRIVATE KEY-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

export async function startFakeVertex(
  opts: { projectId?: string; tokenTtlSeconds?: number; apiKey?: string } = {},
): Promise<FakeVertex> {
  const projectId = opts.projectId ?? "fake-project";
  const inner = await startFakeUpstream();
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const email = `relay@${projectId}.iam.gserviceaccount.com`;
  const tokens = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const refused: string[] = [];
  let url = "";
  const issue = async (req: Request): Promise<Response> => {
    const form = new URLSearchParams(await req.text());
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    }
    try {
      const { payload } = await jwtVerify(form.get("assertion") ?? "", pair.publicKey, {
        algorithms: ["RS256"],
        issuer: email,
        audience: `${url}/token`,
      });
      if (payload.scope !== "https://www.googleapis.com/auth/cloud-platform") throw new Error("wrong scope");
    } catch (e) {
      refused.push(String((e as Error).message));
      return Response.json({ error: "invalid_grant", error_description: "Invalid JWT Signature." }, {
        status: 400,
      });
    }
    const token = `ya29.fake-${crypto.randomUUID()}`;
    const ttl = opts.tokenTtlSeconds ?? 3599;
    tokens.set(token, Date.now() + ttl * 1000);
    fake.tokensIssued++;
    return Response.json({ access_token: token, expires_in: ttl, token_type: "Bearer" });
  };
  // Veo's long-running operations (Vertex's shape): done on the second fetch, the video inline.
  function veoOperation(method: string, project: string, region: string, model: string, body: Uint8Array) {
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return googleError(400, "Invalid JSON payload received.", "INVALID_ARGUMENT");
    }
    if (method === "predictLongRunning") {
      const instance = (json.instances as Record<string, unknown>[] | undefined)?.[0];
      const parameters = json.parameters as Record<string, unknown> | undefined;
      if (typeof instance?.prompt !== "string" || parameters?.sampleCount !== 1) {
        return googleError(
          400,
          "instances[0].prompt and parameters.sampleCount are required",
          "INVALID_ARGUMENT",
        );
      }
      const name =
        `projects/${project}/locations/${region}/publishers/google/models/${model}/operations/${crypto.randomUUID()}`;
      fake.operations.set(name, { polls: 0, fail: instance.prompt.includes("[fake:fail]"), body: json });
      return Response.json({ name });
    }
    const name = String(json.operationName ?? "");
    const op = fake.operations.get(name);
    if (
      !op || !name.includes(`/models/${model}/operations/`) ||
      !name.startsWith(`projects/${project}/locations/${region}/`)
    ) {
      return googleError(404, `Operation ${name} not found`, "NOT_FOUND");
    }
    op.polls++;
    if (op.polls < 2) return Response.json({ name, done: false });
    if (op.fail) {
      return Response.json({
        name,
        done: true,
        error: { code: 3, message: "fake Veo refusal: unsafe prompt" },
      });
    }
    return Response.json({
      name,
      done: true,
      response: {
        "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
        raiMediaFilteredCount: 0,
        videos: [{ mimeType: "video/mp4", bytesBase64Encoded: btoa(String.fromCharCode(...FAKE_MP4)) }],
      },
    });
  }

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const u = new URL(req.url);
    if (req.method === "POST" && u.pathname === "/token") return await issue(req);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, u, req.headers, body, performance.now()),
    );
    const m =
      /^\/(v1|v1beta1)(?:\/projects\/([^/]+)\/locations\/([^/]+))?\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/
        .exec(u.pathname);
    if (!m) return googleError(404, `Not found: ${u.pathname}`, "NOT_FOUND");
    const [, , project, , publisher, model, method] = m;
    if (project) {
      const token = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
      const until = tokens.get(token);
      if (!until || until < Date.now()) {
        return googleError(
          401,
          "Request had invalid authentication credentials. Expected OAuth 2 access token.",
          "UNAUTHENTICATED",
        );
      }
      if (project !== projectId || req.headers.get("x-goog-user-project") !== projectId) {
        return googleError(403, `Permission denied on project ${project}`, "PERMISSION_DENIED");
      }
    } else if (!opts.apiKey || req.headers.get("x-goog-api-key") !== opts.apiKey) {
      return googleError(401, "API keys are not supported by this API.", "UNAUTHENTICATED");
    }
    if (publisher === "google" && (method === "predictLongRunning" || method === "fetchPredictOperation")) {
      return veoOperation(method, project ?? "", m[3] ?? "", model, body);
    }
    const headers = new Headers({ "content-type": "application/json" });
    let target: string;
    let forwarded: Uint8Array | string = body;
    if (publisher === "google") {
      target = `${inner.url}/v1beta/models/${model}:${method}${u.search}`;
      headers.set("x-goog-api-key", "inner-key");
    } else {
      if (method !== "rawPredict" && method !== "streamRawPredict") {
        return googleError(400, `Unsupported method ${method}`, "INVALID_ARGUMENT");
      }
      let json;
      try {
        json = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return googleError(400, "Invalid JSON payload received.", "INVALID_ARGUMENT");
      }
      if (json.anthropic_version !== "vertex-2023-10-16") {
        return googleError(400, "anthropic_version: vertex-2023-10-16 is required", "INVALID_ARGUMENT");
      }
      if ("model" in json) {
        return googleError(400, "model: Extra inputs are not permitted", "INVALID_ARGUMENT");
      }
      const { anthropic_version: _v, ...rest } = json;
      forwarded = JSON.stringify({
        ...rest,
        model,
        ...(method === "streamRawPredict" ? { stream: true } : {}),
      });
      target = `${inner.url}/v1/messages`;
      headers.set("x-api-key", "inner-key");
      headers.set("anthropic-version", "2023-06-01");
    }
    const res = await fetch(target, { method: "POST", headers, body: forwarded as BodyInit });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  url = `http://127.0.0.1:${server.addr.port}`;
  const privateKey = pem(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const fake: FakeVertex = {
    url,
    inner,
    requests,
    lastRequest: () => requests.at(-1),
    tokensIssued: 0,
    refused,
    operations: new Map(),
    serviceAccount: {
      type: "service_account",
      project_id: projectId,
      private_key_id: "fakekid0001",
      private_key: privateKey,
      client_email: email,
      client_id: "100000000000000000001",
      token_uri: `${url}/token`,
    },
    close: async () => {
      await server.shutdown();
      await inner.close();
    },
    [Symbol.asyncDispose]: () => fake.close(),
  };
  return fake;
}
