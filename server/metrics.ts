/**
 * Prometheus metrics (`GET /metrics`, npm `prom-client`: the library the Node ecosystem scrapes with, its
 * text format and histogram buckets exactly as Prometheus expects them). One registry per app, so two
 * apps in one test process do not share counters.
 *
 * Names follow OpenTelemetry's GenAI semantic conventions where they name the thing
 * (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`, `gen_ai.server.time_to_first_token`,
 * with `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`, `error.type` as labels,
 * dots as underscores); the rest are `new_api_*`. `new_api_channel_state` is New API's own gauge, with its
 * labels, so its dashboards keep working.
 *
 * Labels are bounded: the model label is set only once a channel served the request (the model is then
 * one the catalog routes), errors before that carry the endpoint and the HTTP status only.
 */
import client from "prom-client";
import { statementTimings } from "../store/db.ts";

export interface RelayServed {
  endpoint: string;
  model: string;
  provider: string;
  stream: boolean;
  /** How the request ended (`completed`, `client_gone`, ...). */
  end: string;
  durationMs: number;
  /** First byte of the answer after arrival (streams). */
  firstResponseMs?: number;
  inputTokens: number;
  outputTokens: number;
  quota: number;
}

export interface RelayRefused {
  endpoint: string;
  status: number;
  durationMs: number;
}

/** Live values read at scrape time. */
export interface MetricsSources {
  inflight(): number;
  openHolds(): number;
  /** Settlements accepted but not yet committed (the quota book's journal lag), when there is one. */
  journalPending(): number;
  channels(): Iterable<{ id: number; type: number; status: number }>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

function channelState(status: number): string {
  if (status === 1) return "enabled";
  if (status === 2) return "manually_disabled";
  if (status === 3) return "auto_disabled";
  return "unknown";
}

export class GatewayMetrics {
  readonly registry = new client.Registry();
  readonly #duration: client.Histogram;
  readonly #tokens: client.Histogram;
  readonly #ttft: client.Histogram;
  readonly #requests: client.Counter;
  readonly #quota: client.Counter;
  readonly #upstreamFailures: client.Counter;

  constructor(sources?: MetricsSources, opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.processMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
    this.#duration = new client.Histogram({
      name: "gen_ai_client_operation_duration_seconds",
      help: "Relay request duration, arrival to the end of the answer (streams included).",
      labelNames: ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_provider_name", "error_type"],
      buckets: SECONDS,
      registers,
    });
    this.#tokens = new client.Histogram({
      name: "gen_ai_client_token_usage",
      help: "Tokens billed per request, by gen_ai_token_type (input, output).",
      labelNames: ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_token_type"],
      buckets: TOKENS,
      registers,
    });
    this.#ttft = new client.Histogram({
      name: "gen_ai_server_time_to_first_token_seconds",
      help: "Streams: arrival to the first byte of the answer.",
      labelNames: ["gen_ai_operation_name", "gen_ai_request_model"],
      buckets: SECONDS,
      registers,
    });
    this.#requests = new client.Counter({
      name: "new_api_relay_requests_total",
      help:
        "Relay requests by endpoint, outcome (completed, client_gone, ... or the HTTP status of a refusal).",
      labelNames: ["endpoint", "outcome", "stream"],
      registers,
    });
    this.#quota = new client.Counter({
      name: "new_api_quota_charged_total",
      help: "Quota charged by settled relay requests (500000 = $1 by default).",
      labelNames: ["gen_ai_request_model"],
      registers,
    });
    this.#upstreamFailures = new client.Counter({
      name: "new_api_upstream_failures_total",
      help:
        "Failed upstream attempts (before the answer started), by channel and upstream status (0: no answer).",
      labelNames: ["channel_id", "channel_type", "status"],
      registers,
    });
    const statements = new client.Histogram({
      name: "new_api_store_statement_duration_seconds",
      help: "SQL statement duration (waiting for a pooled connection included), by store.",
      labelNames: ["store"],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    // Process-wide: the last app built in this process receives the timings (one app in production).
    statementTimings.observe = (store, ms) => statements.observe({ store }, ms / 1000);
    if (!sources) return;
    new client.Gauge({
      name: "new_api_relay_inflight_requests",
      help: "Relay requests in flight on this instance (open streams included).",
      registers,
      collect() {
        this.set(sources.inflight());
      },
    });
    new client.Gauge({
      name: "new_api_billing_open_holds",
      help: "Quota holds of requests still running on this instance.",
      registers,
      collect() {
        this.set(sources.openHolds());
      },
    });
    new client.Gauge({
      name: "new_api_billing_journal_pending",
      help: "Settlements answered but not yet committed to the store (the group commit's lag).",
      registers,
      collect() {
        this.set(sources.journalPending());
      },
    });
    new client.Gauge({
      name: "new_api_channel_state",
      help: "Current persisted state of an AI channel (1 = current state).",
      labelNames: ["channel_id", "channel_type", "state"],
      registers,
      collect() {
        this.reset();
        for (const c of sources.channels()) {
          this.set(
            { channel_id: String(c.id), channel_type: String(c.type), state: channelState(c.status) },
            1,
          );
        }
      },
    });
  }

  /** A request a channel served (to its end, or cut), after its settlement. */
  served(r: RelayServed): void {
    const op = r.endpoint;
    this.#requests.inc({ endpoint: op, outcome: r.end, stream: String(r.stream) });
    this.#duration.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_provider_name: r.provider,
      error_type: r.end === "completed" ? "" : r.end,
    }, r.durationMs / 1000);
    this.#tokens.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_token_type: "input",
    }, r.inputTokens);
    this.#tokens.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_token_type: "output",
    }, r.outputTokens);
    if (r.stream && r.firstResponseMs !== undefined) {
      this.#ttft.observe(
        { gen_ai_operation_name: op, gen_ai_request_model: r.model },
        r.firstResponseMs / 1000,
      );
    }
    if (r.quota > 0) this.#quota.inc({ gen_ai_request_model: r.model }, r.quota);
  }

  /** A request answered with an error before any channel's answer reached the client. */
  refused(r: RelayRefused): void {
    const status = String(r.status);
    this.#requests.inc({ endpoint: r.endpoint, outcome: status, stream: "" });
    this.#duration.observe({
      gen_ai_operation_name: r.endpoint,
      gen_ai_request_model: "",
      gen_ai_provider_name: "",
      error_type: status,
    }, r.durationMs / 1000);
  }

  upstreamFailure(channelId: number, channelType: number, status: number): void {
    this.#upstreamFailures.inc({
      channel_id: String(channelId),
      channel_type: String(channelType),
      status: String(status),
    });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
