/** Cookies that remember the browser's choices (language, theme) for a year; read by the server on each page. */
export function setPreferenceCookie(name: "lang" | "theme", value: string): void {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
