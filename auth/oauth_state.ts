/**
 * OAuth `state`, bound to the browser that asked for it: `POST /api/oauth/state` sets a random flow
 * cookie and stores, under a keyed hash of the state, a keyed hash of that cookie, who was signed in (a
 * callback then binds instead of signing in), the invitation code, and for flows this gateway starts
 * itself the PKCE verifier and OIDC nonce. The callback spends the entry on first use, so a replayed
 * callback URL or a state from another browser is refused before any code reaches the provider.
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { updateKey } from "../kv/key_update.ts";
import { deriveKey } from "../crypto/keys.ts";

export const OAUTH_FLOW_COOKIE = "oauth_flow";
/** How long a state waits for its callback. */
export const OAUTH_STATE_SECONDS = 600;

export interface OAuthFlow {
  /** The signed-in user who asked for the state: the callback binds to this account. */
  userId?: number;
  aff?: string;
  /** PKCE code_verifier, sent with the code (flows started by `GET /api/oauth/:provider/start`). */
  verifier?: string;
  /** The `nonce` the id_token must carry. */
  nonce?: string;
}

interface StoredFlow extends OAuthFlow {
  cookieHash: string;
  expiresAt: number;
}

export function randomToken(bytes = 24): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

/** The S256 code_challenge of a PKCE verifier (RFC 7636). */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export interface OAuthStateStore {
  /** A new state for this browser (sets the flow cookie when it has none). */
  issue(c: Context, flow: OAuthFlow): Promise<string>;
  /** The flow `state` names, once, if it was issued to this browser and has not expired. */
  consume(c: Context, state: string): Promise<OAuthFlow | undefined>;
}

export function oauthStateStore(
  kv: Deno.Kv,
  secret: string,
  secure: (c: Context) => boolean,
): OAuthStateStore {
  const keyed = (text: string) =>
    createHmac("sha256", deriveKey(secret, "oauth-state")).update(text).digest("base64url");
  const keyOf = (state: string): Deno.KvKey => ["oauth_state", keyed(`state:${state}`)];
  return {
    issue: async (c, flow) => {
      let cookie = getCookie(c, OAUTH_FLOW_COOKIE);
      if (!cookie || cookie.length > 64) {
        cookie = randomToken();
        // Lax: the provider sends the browser back with a top-level cross-site navigation.
        setCookie(c, OAUTH_FLOW_COOKIE, cookie, {
          path: "/",
          httpOnly: true,
          sameSite: "Lax",
          secure: secure(c),
          maxAge: OAUTH_STATE_SECONDS,
        });
      }
      const state = randomToken(18);
      const stored: StoredFlow = {
        ...flow,
        cookieHash: keyed(`cookie:${cookie}`),
        expiresAt: Date.now() + OAUTH_STATE_SECONDS * 1000,
      };
      await updateKey<StoredFlow, void>(kv, keyOf(state), () => ({
        state: stored,
        result: undefined,
        expireInMs: OAUTH_STATE_SECONDS * 1000,
      }));
      return state;
    },
    consume: async (c, state) => {
      const cookie = getCookie(c, OAUTH_FLOW_COOKIE);
      if (!state || state.length > 64 || !cookie || cookie.length > 64) return undefined;
      const given = Buffer.from(keyed(`cookie:${cookie}`));
      const found = await updateKey<StoredFlow, StoredFlow | undefined>(kv, keyOf(state), (stored, now) => {
        if (!stored || stored.expiresAt <= now) return { state: undefined, result: undefined };
        const expected = Buffer.from(stored.cookieHash);
        // Another browser's try leaves the entry for its owner.
        if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
          return { state: stored, result: undefined, expireInMs: stored.expiresAt - now };
        }
        return { state: undefined, result: stored };
      });
      if (!found) return undefined;
      const { cookieHash: _h, expiresAt: _e, ...flow } = found;
      return flow;
    },
  };
}
