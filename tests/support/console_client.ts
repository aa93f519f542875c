/**
 * Signed-in clients of the management API for tests: run setup, sign users in (keeping the session
 * cookie and sending a same-origin Origin, as a browser does) or call with an access token.
 */
import type { AppHarness } from "./app.ts";
import { assertEquals } from "./assert.ts";
import { hashPassword } from "../../crypto/password.ts";
import { insertUser, Role } from "../../store/users.ts";

export interface ApiAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
  headers: Headers;
}

export interface ApiClient {
  /** Sends a request with this client's credentials; the answer's JSON is parsed when possible. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** The user id behind this client. */
  userId: number;
  /** The session cookie (`session=...`) or undefined for token clients. */
  cookie?: string;
}

export const ORIGIN = "http://localhost";

export async function answer(res: Response): Promise<ApiAnswer> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, body, text, headers: res.headers };
}

export function sessionCookieOf(res: { headers: Headers }): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const m = line.match(/^session=([^;]*)/);
    if (m && m[1] !== "") return `session=${m[1]}`;
  }
  return undefined;
}

export async function anonymous(
  h: AppHarness,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  return await answer(await h.call(method, path, body, headers));
}

/** Completes first-run setup with a root account. */
export async function setupRoot(
  h: AppHarness,
  username = "root",
  password = "root-password-1",
): Promise<void> {
  const res = await anonymous(h, "POST", "/api/setup", {
    username,
    password,
    confirmPassword: password,
    SelfUseModeEnabled: false,
    DemoSiteEnabled: false,
  });
  assertEquals(res.body?.success, true, `setup: ${res.text}`);
}

export function cookieClient(h: AppHarness, cookie: string, userId: number): ApiClient {
  return {
    userId,
    cookie,
    call: async (method, path, body, headers = {}) =>
      await answer(await h.call(method, path, body, { cookie, origin: ORIGIN, ...headers })),
  };
}

export function tokenClient(h: AppHarness, accessToken: string, userId: number): ApiClient {
  return {
    userId,
    call: async (method, path, body, headers = {}) =>
      await answer(await h.call(method, path, body, { authorization: `Bearer ${accessToken}`, ...headers })),
  };
}

export async function login(h: AppHarness, username: string, password: string): Promise<ApiClient> {
  const res = await h.call("POST", "/api/user/login", { username, password }, { origin: ORIGIN });
  const cookie = sessionCookieOf(res);
  const parsed = await answer(res);
  assertEquals(parsed.body?.success, true, `login ${username}: ${parsed.text}`);
  return cookieClient(h, cookie!, parsed.body.data.id);
}

const hashes = new Map<string, Promise<string>>();

/**
 * Inserts a user straight into the store (bcrypt hashes are cached per password, to keep the suite
 * fast) and signs them in through the API. For tests that are not about creating users.
 */
export async function seedUser(
  h: AppHarness,
  username: string,
  role: number = Role.common,
): Promise<ApiClient> {
  const password = `${username}-password`;
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  const id = await insertUser(h.deps.db, { username, passwordHash: await hashes.get(password)!, role });
  await h.deps.cache.publish({ kind: "user", id });
  return await login(h, username, password);
}

/** Root (set up through the API), an admin and two common users, each signed in. */
export async function cast(h: AppHarness) {
  await setupRoot(h);
  const root = await login(h, "root", "root-password-1");
  const admin = await seedUser(h, "admin1", Role.admin);
  const alice = await seedUser(h, "alice");
  const bob = await seedUser(h, "bob");
  return { root, admin, alice, bob };
}
