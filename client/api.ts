/**
 * How islands call the management API: same-origin `fetch` with the session cookie, New API's
 * `{success, message, data}` envelope unwrapped into one result type that also says why a call failed.
 * `New-Api-User` names the user the page was rendered for, so a page left open after another sign-in
 * cannot act as the new user.
 */
export interface ApiResult<T> {
  ok: boolean;
  /** HTTP status; 0 when the network failed. */
  status: number;
  message: string;
  data?: T;
  /** The whole JSON body, for the few New API routes that put fields beside `data` (e.g. /api/pricing). */
  body?: Record<string, unknown>;
}

/** The signed-in user's id, rendered by the server on `<body data-user-id>`. */
export function pageUserId(): string | undefined {
  return globalThis.document?.body?.dataset.userId || undefined;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const userId = pageUserId();
  if (userId) headers["New-Api-User"] = userId;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, message: String((err as Error)?.message ?? err) };
  }
  let json: Record<string, unknown> | undefined;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  const message = typeof json?.message === "string" ? json.message : res.statusText;
  const ok = res.ok && json?.success === true;
  return { ok, status: res.status, message, data: json?.data as T | undefined, body: json };
}

/** New API's paged list shape (`common.PageInfo`). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/** Reads a paged answer; anything unexpected reads as an empty page. */
export function asPage<T>(data: unknown, page: number, pageSize: number): Page<T> {
  const d = (data ?? {}) as Partial<Page<T>>;
  return {
    items: Array.isArray(d.items) ? d.items : [],
    total: typeof d.total === "number" ? d.total : 0,
    page: typeof d.page === "number" ? d.page : page,
    page_size: typeof d.page_size === "number" ? d.page_size : pageSize,
  };
}
