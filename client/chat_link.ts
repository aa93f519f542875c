/**
 * Fills a chat client's link template (the `Chats` option) with an API key and this gateway's address, as
 * New API's console does: `{key}` is the `sk-` key, `{address}` the URL-encoded address, and the provider
 * configs (`{cherryConfig}`, `{aionuiConfig}`, `{deepchatConfig}`) a URL-encoded base64 JSON object. Runs in
 * the browser only, so the key never travels in a request to this server.
 */

function base64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return encodeURIComponent(btoa(String.fromCharCode(...bytes)));
}

export function chatLink(template: string, key: string, address: string): string {
  const apiKey = key.startsWith("sk-") ? key : `sk-${key}`;
  const baseUrl = address.replace(/\/+$/, "");
  return template
    .replaceAll("{cherryConfig}", () => base64Json({ id: "new-api", baseUrl, apiKey }))
    .replaceAll("{aionuiConfig}", () => base64Json({ platform: "new-api", baseUrl, apiKey }))
    .replaceAll("{deepchatConfig}", () => base64Json({ id: "new-api", baseUrl, apiKey }))
    .replaceAll("{address}", () => encodeURIComponent(baseUrl))
    .replaceAll("{key}", () => apiKey);
}
