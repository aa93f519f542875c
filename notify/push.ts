/**
 * Bark and Gotify delivery, with New API's requests: Bark is a GET on the user's URL with `{{title}}`
 * and `{{content}}` filled in (URL-encoded); Gotify is a JSON POST to `<server>/message?token=`, with
 * priority 0–10 (anything else becomes 5).
 */
import { guardedFetch, type GuardedFetchOptions } from "../net/ssrf_fetch.ts";
import { type Notice, renderContent } from "./notice.ts";
import { DeliveryError } from "./delivery_error.ts";

type FetchOptions = Pick<GuardedFetchOptions, "setting" | "resolver" | "timeoutMs">;

function expectOk(what: string, status: number) {
  if (status < 200 || status >= 300) throw new DeliveryError(`${what} answered ${status}`);
}

export async function sendBark(barkUrl: string, notice: Notice, fetchOptions: FetchOptions): Promise<void> {
  const url = barkUrl
    .replaceAll("{{title}}", encodeURIComponent(notice.title))
    .replaceAll("{{content}}", encodeURIComponent(renderContent(notice)));
  const res = await guardedFetch(url, {
    ...fetchOptions,
    headers: { "user-agent": "NewAPI-Bark-Notify/1.0" },
    maxBytes: 64 * 1024,
  });
  expectOk("bark", res.status);
}

export async function sendGotify(
  serverUrl: string,
  token: string,
  priority: number | undefined,
  notice: Notice,
  fetchOptions: FetchOptions,
): Promise<void> {
  const url = `${serverUrl.replace(/\/+$/, "")}/message?token=${encodeURIComponent(token)}`;
  const p = priority !== undefined && priority >= 0 && priority <= 10 ? priority : 5;
  const res = await guardedFetch(url, {
    ...fetchOptions,
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "user-agent": "NewAPI-Gotify-Notify/1.0" },
    body: JSON.stringify({ title: notice.title, message: renderContent(notice), priority: p }),
    maxBytes: 64 * 1024,
  });
  expectOk("gotify", res.status);
}
