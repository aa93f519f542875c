/** A notification that could not be delivered this time; `retry` false means trying again is pointless. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly retry: boolean;
  constructor(message: string, retry = true) {
    super(message);
    this.retry = retry;
  }
}
