/** Error answers in each provider's own shape, as the real APIs send them. */

export type Dialect = "openai" | "anthropic" | "gemini";

const OPENAI_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "unsupported_country_region_territory"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
  500: ["server_error", null],
  503: ["server_error", null],
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const GEMINI_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function defaultErrorMessage(status: number, key: string | undefined): string {
  switch (status) {
    case 400:
      return "Invalid request (fake upstream).";
    // Echoes the key on purpose, like some providers do: gateways must not pass it on to their clients.
    case 401:
      return `Incorrect API key provided: ${key ?? "(none)"}.`;
    case 403:
      return "Permission denied (fake upstream).";
    case 404:
      return "The model does not exist (fake upstream).";
    case 429:
      return "Rate limit reached (fake upstream). Please try again in 1s.";
    case 503:
    case 529:
      return "Overloaded (fake upstream).";
    default:
      return `Upstream failure ${status} (fake upstream).`;
  }
}

export function errorBody(dialect: Dialect, status: number, message: string): Record<string, unknown> {
  switch (dialect) {
    case "openai": {
      const [type, code] = OPENAI_TYPES[status] ??
        (status >= 500 ? ["server_error", null] : ["invalid_request_error", null]);
      return { error: { message, type, param: null, code } };
    }
    case "anthropic":
      return {
        type: "error",
        error: {
          type: ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"),
          message,
        },
        request_id: "req_fake0001",
      };
    case "gemini":
      return {
        error: {
          code: status,
          message,
          status: GEMINI_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
        },
      };
  }
}

export function errorResponse(
  dialect: Dialect,
  status: number,
  message: string,
  retryAfter?: string,
): Response {
  const headers = new Headers({ "content-type": "application/json" });
  if (retryAfter !== undefined) headers.set("retry-after", retryAfter);
  if (dialect === "anthropic") headers.set("request-id", "req_fake0001");
  return new Response(JSON.stringify(errorBody(dialect, status, message)), { status, headers });
}
