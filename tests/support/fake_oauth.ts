/**
 * A local OAuth2 / OIDC provider speaking the real protocol, with GitHub's, Linux DO's, Discord's and an
 * OIDC issuer's paths on one port: the authorize endpoint plays the consenting user (`fake.user`) and
 * redirects with a single-use code bound to the client, redirect URI, PKCE challenge and nonce; the token
 * endpoints check client credentials, the code and the PKCE verifier; the OIDC token answer carries an
 * id_token signed RS256 with a real key whose public half the JWKS serves. `rotate()` replaces the key,
 * `forge` spoils the next id_token (bad signature, expired, wrong audience, other subject).
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createHash } from "node:crypto";

export interface FakeUser {
  id: number;
  login: string;
  name?: string;
  email?: string;
  emailVerified?: boolean;
  trustLevel?: number;
}

export type Forgery = "bad-signature" | "expired" | "wrong-audience" | "other-subject";

interface Grant {
  clientId: string;
  redirectUri: string | null;
  challenge: string | null;
  nonce: string | null;
  user: FakeUser;
}

export const FAKE_CLIENT = { id: "fake-client-id", secret: "fake-client-secret" };

export interface FakeOAuth {
  base: string;
  /** The user who consents at the next authorize call. */
  user: FakeUser;
  /** Spoils the next id_token. */
  forge?: Forgery;
  /** Requests the token endpoints received (path and form or JSON body). */
  tokenRequests: { path: string; body: Record<string, string> }[];
  /** Follows an authorize URL as the browser would; answers the redirect's code and state. */
  authorize(url: string): Promise<{ code: string; state: string; redirectUri: string }>;
  /** New signing key and key id; the JWKS serves only the new one. */
  rotate(): Promise<void>;
  /** Env for the gateway (endpoints of the fixed providers) and options (SSRF guard, OIDC, clients). */
  env: Record<string, string>;
  options(providers: ("github" | "oidc" | "linuxdo" | "discord")[]): Record<string, string>;
  [Symbol.asyncDispose](): Promise<void>;
}

const s256 = (v: string) => createHash("sha256").update(v).digest("base64url");

export async function startFakeOAuth(): Promise<FakeOAuth> {
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, Grant>();
  let key = await generateKeyPair("RS256", { extractable: true });
  let kid = crypto.randomUUID();
  let jwk: JWK = { ...(await exportJWK(key.publicKey)), kid, alg: "RS256", use: "sig" };
  const random = () => crypto.randomUUID().replaceAll("-", "");
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  const fake: FakeOAuth = {
    base: "",
    user: { id: 1, login: "octo" },
    tokenRequests: [],
    authorize: async (url) => {
      const res = await fetch(url, { redirect: "manual" });
      await res.body?.cancel();
      const location = new URL(res.headers.get("location")!);
      return {
        code: location.searchParams.get("code")!,
        state: location.searchParams.get("state")!,
        redirectUri: location.origin + location.pathname,
      };
    },
    rotate: async () => {
      key = await generateKeyPair("RS256", { extractable: true });
      kid = crypto.randomUUID();
      jwk = { ...(await exportJWK(key.publicKey)), kid, alg: "RS256", use: "sig" };
    },
    env: {},
    options: (providers) => {
      const out: Record<string, string> = {
        "fetch_setting.allow_private_ip": "true",
        "fetch_setting.allowed_ports": JSON.stringify([String(port)]),
        ServerAddress: "http://localhost",
      };
      for (const p of providers) {
        if (p === "github") {
          Object.assign(out, {
            GitHubOAuthEnabled: "true",
            GitHubClientId: FAKE_CLIENT.id,
            GitHubClientSecret: FAKE_CLIENT.secret,
          });
        } else if (p === "linuxdo") {
          Object.assign(out, {
            LinuxDOOAuthEnabled: "true",
            LinuxDOClientId: FAKE_CLIENT.id,
            LinuxDOClientSecret: FAKE_CLIENT.secret,
          });
        } else if (p === "discord") {
          Object.assign(out, {
            "discord.enabled": "true",
            "discord.client_id": FAKE_CLIENT.id,
            "discord.client_secret": FAKE_CLIENT.secret,
          });
        } else {
          Object.assign(out, {
            "oidc.enabled": "true",
            "oidc.client_id": FAKE_CLIENT.id,
            "oidc.client_secret": FAKE_CLIENT.secret,
            "oidc.well_known": `${fake.base}/.well-known/openid-configuration`,
          });
        }
      }
      return out;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };

  /** The grant a code names, once, if the client and redirect URI match. */
  const redeem = (code: string, clientId: string, secret: string, redirectUri: string | null) => {
    const grant = grants.get(code);
    grants.delete(code);
    if (!grant || clientId !== FAKE_CLIENT.id || secret !== FAKE_CLIENT.secret) return undefined;
    if (grant.redirectUri !== null && grant.redirectUri !== redirectUri) return undefined;
    return grant;
  };
  const bearer = (req: Request) =>
    tokens.get((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
  const issueToken = (grant: Grant) => {
    const token = random();
    tokens.set(token, grant);
    return token;
  };

  const idToken = async (grant: Grant) => {
    const forgery = fake.forge;
    fake.forge = undefined;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      email: grant.user.email,
      email_verified: grant.user.emailVerified ?? true,
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
    })
      .setProtectedHeader({ alg: "RS256", kid })
      .setIssuer(fake.base)
      .setSubject(forgery === "other-subject" ? `sub-${grant.user.id + 1000}` : `sub-${grant.user.id}`)
      .setAudience(forgery === "wrong-audience" ? "someone-else" : grant.clientId)
      .setIssuedAt(forgery === "expired" ? now - 7200 : now)
      .setExpirationTime(forgery === "expired" ? now - 3600 : now + 300);
    const signer = forgery === "bad-signature"
      ? (await generateKeyPair("RS256", { extractable: true })).privateKey
      : key.privateKey;
    return await jwt.sign(signer);
  };

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.method === "GET" && /\/authorize$/.test(path)) {
      const q = url.searchParams;
      const code = random();
      grants.set(code, {
        clientId: q.get("client_id") ?? "",
        redirectUri: q.get("redirect_uri"),
        challenge: q.get("code_challenge_method") === "S256" ? q.get("code_challenge") : null,
        nonce: q.get("nonce"),
        user: { ...fake.user },
      });
      const back = new URL(q.get("redirect_uri") ?? "http://localhost/oauth/github");
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      return new Response(null, { status: 302, headers: { location: back.toString() } });
    }
    if (req.method === "GET" && path === "/.well-known/openid-configuration") {
      return json({
        issuer: fake.base,
        authorization_endpoint: `${fake.base}/oidc/authorize`,
        token_endpoint: `${fake.base}/oidc/token`,
        userinfo_endpoint: `${fake.base}/oidc/userinfo`,
        jwks_uri: `${fake.base}/oidc/jwks`,
      });
    }
    if (req.method === "GET" && path === "/oidc/jwks") return json({ keys: [jwk] });
    if (req.method === "POST") {
      const raw = await req.text();
      const body: Record<string, string> = (req.headers.get("content-type") ?? "").includes("json")
        ? JSON.parse(raw)
        : Object.fromEntries(new URLSearchParams(raw));
      fake.tokenRequests.push({ path, body });
      if (path === "/login/oauth/access_token") {
        const grant = redeem(body.code, body.client_id, body.client_secret, null);
        // GitHub answers 200 with an error field for a bad code.
        return grant
          ? json({ access_token: issueToken(grant), scope: "user:email" })
          : json({ error: "bad_verification_code" });
      }
      if (path === "/oauth2/token" || path === "/api/v10/oauth2/token") {
        const [id, secret] = atob((req.headers.get("authorization") ?? "").replace(/^Basic /, "") || "Og==")
          .split(":");
        const grant = path === "/oauth2/token"
          ? redeem(body.code, id, secret, body.redirect_uri)
          : redeem(body.code, body.client_id, body.client_secret, body.redirect_uri);
        return grant ? json({ access_token: issueToken(grant) }) : json({ error: "invalid_grant" }, 400);
      }
      if (path === "/oidc/token") {
        const grant = redeem(body.code, body.client_id, body.client_secret, body.redirect_uri);
        if (!grant || body.grant_type !== "authorization_code") return json({ error: "invalid_grant" }, 400);
        if (grant.challenge !== null && s256(body.code_verifier ?? "") !== grant.challenge) {
          return json({ error: "invalid_grant", error_description: "PKCE verification failed" }, 400);
        }
        return json({
          access_token: issueToken(grant),
          token_type: "Bearer",
          id_token: await idToken(grant),
        });
      }
    }
    const grant = bearer(req);
    if (!grant) return json({ message: "Bad credentials" }, 401);
    const u = grant.user;
    if (path === "/user") {
      return json({ id: u.id, login: u.login, name: u.name ?? null, email: u.email ?? null });
    }
    if (path === "/api/user") {
      return json({
        id: u.id,
        username: u.login,
        name: u.name ?? "",
        active: true,
        trust_level: u.trustLevel ?? 0,
        silenced: false,
      });
    }
    if (path === "/api/v10/users/@me") {
      return json({ id: String(u.id), username: u.login, global_name: u.name ?? null });
    }
    if (path === "/oidc/userinfo") {
      return json({
        sub: `sub-${u.id}`,
        email: u.email ?? "",
        email_verified: u.emailVerified ?? true,
        name: u.name,
        preferred_username: u.login,
      });
    }
    return json({ error: "not_found" }, 404);
  });
  // A test file shares one provider; it must not keep the test process alive.
  server.unref();
  const port = server.addr.port;
  fake.base = `http://127.0.0.1:${port}`;
  fake.env = {
    GITHUB_OAUTH_BASE: fake.base,
    GITHUB_API_BASE: fake.base,
    DISCORD_API_BASE: fake.base,
    LINUX_DO_AUTHORIZE_ENDPOINT: `${fake.base}/oauth2/authorize`,
    LINUX_DO_TOKEN_ENDPOINT: `${fake.base}/oauth2/token`,
    LINUX_DO_USER_ENDPOINT: `${fake.base}/api/user`,
  };
  return fake;
}
