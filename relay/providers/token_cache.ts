/**
 * Access tokens a provider exchanges its channel key for (Vertex's OAuth token, Baidu's access_token):
 * cached per credential in this process until a minute before they expire, one exchange shared by the
 * requests that need it at the same time.
 */
export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the token endpoint said. */
  expiresIn: number;
}

const cache = new Map<string, { token: string; refreshAt: number }>();
const inFlight = new Map<string, Promise<IssuedToken>>();

/** Token exchanges made (tests read it to see the cache work). */
export const tokenStats = { exchanges: 0 };

/** The cached token for `id`, or the one `exchange` gets (its error is the caller's). */
export async function cachedToken(id: string, exchange: () => Promise<IssuedToken>): Promise<string> {
  const hit = cache.get(id);
  if (hit && hit.refreshAt > Date.now()) return hit.token;
  let pending = inFlight.get(id);
  if (!pending) {
    tokenStats.exchanges++;
    pending = exchange().finally(() => inFlight.delete(id));
    inFlight.set(id, pending);
  }
  const got = await pending;
  cache.set(id, { token: got.token, refreshAt: Date.now() + Math.max(0, got.expiresIn - 60) * 1000 });
  return got.token;
}
