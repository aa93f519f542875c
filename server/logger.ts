/**
 * Plain line logger. Never pass it request bodies, keys or secrets: it writes what it is given.
 */
type Level = "debug" | "info" | "warn" | "error";

let debugEnabled = false;

export function setDebug(on: boolean): void {
  debugEnabled = on;
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (level === "debug" && !debugEnabled) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}${
    fields ? " " + JSON.stringify(fields) : ""
  }`;
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
