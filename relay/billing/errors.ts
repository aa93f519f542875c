/**
 * Billing's typed errors. Each carries the HTTP status and OpenAI-style `code` the relay renders in the
 * caller's dialect (`new RelayError(e.status, e.message, { code: e.code, param: e.param })`).
 */

export class BillingError extends Error {
  override name = "BillingError";
  readonly status: number;
  readonly code: string;
  readonly param?: string;
  constructor(status: number, code: string, message: string, param?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

/** A quantity in the request (`n`, `max_tokens`, `size`, ...) is missing its bounds: 400, nothing reserved. */
export class BillingInputError extends BillingError {
  override name = "BillingInputError";
  constructor(message: string, param?: string) {
    super(400, "invalid_request_error", message, param);
  }
}

/** The model has neither a ratio nor a price and self-use mode is off. */
export class ModelNotPricedError extends BillingError {
  override name = "ModelNotPricedError";
  readonly model: string;
  constructor(model: string, forAdmin: boolean) {
    super(
      400,
      "model_price_error",
      forAdmin
        ? `Model ${model} price not configured. Enable self-use mode, or set a ratio or price for it in the ` +
          "pricing settings."
        : `Model ${model} has not been priced by the administrator yet; contact the site administrator.`,
    );
    this.model = model;
  }
}

/**
 * The user's wallet, the token's remaining quota or the user's subscriptions cannot cover the reservation;
 * nothing was held. The message says what the request needs and what is left, so a caller with quota left
 * is not told it is used up. A subscription refusal is New API's: 403 `insufficient_user_quota`.
 */
export class InsufficientQuotaError extends BillingError {
  override name = "InsufficientQuotaError";
  readonly scope: "user" | "token" | "subscription";
  readonly needed: number;
  /** What the user's wallet (or the token) had left when the hold was refused (may be ≤ 0). */
  readonly left: number;
  constructor(scope: "user" | "token" | "subscription", needed: number, left: number) {
    super(
      403,
      scope === "token" ? "pre_consume_token_quota_failed" : "insufficient_user_quota",
      scope === "user"
        ? `insufficient user quota: this request needs ${needed} quota and the user has ${left} left`
        : scope === "token"
        ? `token quota is not enough: this request needs ${needed} quota and the token has ${left} left`
        : `subscription quota is not enough or no active subscription: this request needs ${needed} quota`,
    );
    this.scope = scope;
    this.needed = needed;
    this.left = left;
  }
}

/** A reservation with this request id exists already (one reservation per client request). */
export class DuplicateReservationError extends BillingError {
  override name = "DuplicateReservationError";
  constructor(requestId: string) {
    super(409, "duplicate_request_id", `request ${requestId} already holds a reservation`);
  }
}
